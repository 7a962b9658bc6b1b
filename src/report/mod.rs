//! Renderers of a [`model::RunReport`].

pub mod model;
