//! The RSA-2048 signing rate of this machine, measured with the library and call the reference
//! issuer signs RS256 tokens with (aws-lc-rs `RsaKeyPair::sign`, PKCS#1 v1.5 SHA-256, key
//! generated and parsed once).
//!
//! `scripts/bench.sh` compares the issuer's RS256 throughput with this figure in the same run
//! (issue 5: RS256 at least 0.8 of the signing rate), because RS256 issuance is bound by the
//! signature, not by HTTP. Each thread signs a token-sized message in a loop for the given time.
//!
//! Usage: `rsa_sign_rate [THREADS] [SECONDS]` (default 2 threads, 3 s); prints
//! `RESULT <signatures per second over all threads> <threads> <signatures>`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2);
    let seconds: f64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3.0);
    let key = Arc::new(
        RsaKeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?,
    );
    // About the size of a reference issuer JWS signing input.
    let message = vec![b'e'; 420];
    let run_for = Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let key = key.clone();
            let message = message.clone();
            std::thread::spawn(move || -> anyhow::Result<u64> {
                let rng = SystemRandom::new();
                let mut sig = vec![0u8; key.public_modulus_len()];
                let mut n = 0u64;
                while started.elapsed() < run_for {
                    key.sign(&RSA_PKCS1_SHA256, &rng, &message, &mut sig)
                        .map_err(|_| anyhow::anyhow!("signing failed"))?;
                    n += 1;
                }
                Ok(n)
            })
        })
        .collect();
    let mut total = 0u64;
    for h in handles {
        total += h
            .join()
            .map_err(|_| anyhow::anyhow!("a signing thread panicked"))??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("RESULT {:.1} {threads} {total}", total as f64 / elapsed);
    Ok(())
}
