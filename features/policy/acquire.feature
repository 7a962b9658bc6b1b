@policy
Feature: Token acquisition with "Manage From This Policy" (seed section 1)
  The key of the API proxy, proxy group or policy group that carries the JWT or OAuth2 policy
  gets a token from /auth/jwt or /auth/token with the parameters of the seed's tables
  (seed 1, 1.1, 1.2). For a JWT policy defined with the password grant, client_secret is the
  literal dash; for OAuth2 it is the key's secret.

  @must @seed-1.1-cc @seed-1.2-cc @seed-1-key-api-proxy @seed-1-key-proxy-group @seed-1-key-policy-group @client_credentials
  Scenario Outline: <token> client_credentials with the key of <level>
    Given a <token> policy managed from this policy with grant type client_credentials and whose key belongs to <level>
    When the client requests a token as documented
    Then a token is issued
    And expires_in is the configured validity

    @jwt
    Examples: JWT
      | token | level          |
      | JWT   | an API proxy   |
      | JWT   | a proxy group  |
      | JWT   | a policy group |

    @oauth2
    Examples: OAuth2
      | token  | level          |
      | OAuth2 | an API proxy   |
      | OAuth2 | a proxy group  |
      | OAuth2 | a policy group |

  @must @seed-1.1-password @seed-1.2-password @seed-1-key-api-proxy @seed-1-key-proxy-group @seed-1-key-policy-group @password
  Scenario Outline: <token> password grant with the key of <level> and a user of the authentication pool
    Given a <token> policy managed from this policy with grant type password and whose key belongs to <level>
    When the client requests a token as documented
    Then a token is issued
    And expires_in is the configured validity

    @jwt
    Examples: JWT (client_secret is the dash)
      | token | level          |
      | JWT   | an API proxy   |
      | JWT   | a proxy group  |
      | JWT   | a policy group |

    @oauth2
    Examples: OAuth2 (client_secret is the secret key)
      | token  | level          |
      | OAuth2 | an API proxy   |
      | OAuth2 | a proxy group  |
      | OAuth2 | a policy group |

  @must @seed-1.1-content-type @seed-1.2-content-type
  Scenario Outline: <token> <grant> request is an x-www-form-urlencoded POST
    Given a <token> policy managed from this policy with grant type <grant>
    When the client requests a token with content type "application/x-www-form-urlencoded"
    Then a token is issued

    @jwt
    Examples:
      | token | grant              |
      | JWT   | client_credentials |
      | JWT   | password           |

    @oauth2
    Examples:
      | token  | grant              |
      | OAuth2 | client_credentials |
      | OAuth2 | password           |

  @should @seed-1.1-content-type @seed-1.2-content-type @doc-RN22
  Scenario Outline: <token> accepts a charset parameter on the form content type
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client requests a token with content type "application/x-www-form-urlencoded;charset=UTF-8"
    Then a token is issued

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @seed-1.1-cc @seed-1.1-password @jwt
  Scenario Outline: a JWT from a <grant> policy is signed and expires as configured
    Given a JWT policy managed from this policy with grant type <grant> and signed with a published key
    When the client requests a token as documented
    Then a token is issued
    And the access token is a JWT signed with an allowed algorithm
    And the JWT expires at iat plus the configured validity

    Examples:
      | grant              |
      | client_credentials |
      | password           |

  @must @seed-1.1-cc @jwt @doc-P-JWT
  Scenario: a JWT signed with a shared secret (HS*) verifies with the profile's secret
    Given a JWT policy managed from this policy with grant type client_credentials and signed with a shared secret
    When the client requests a token as documented
    Then a token is issued
    And the access token is a JWT signed with an allowed algorithm
    And the JWT expires at iat plus the configured validity

  @should @seed-1.2-cc @seed-1.2-password @oauth2 @doc-TOK
  Scenario Outline: an OAuth2 policy issues an opaque token for <grant>
    Given an OAuth2 policy managed from this policy with grant type <grant>
    When the client requests a token as documented
    Then a token is issued
    And the access token is opaque

    Examples:
      | grant              |
      | client_credentials |
      | password           |

  @info @seed-x-dash-only-where-documented @jwt @password @doc-JWT
  Scenario: the real secret where the seed documents the dash (JWT password, policy mode)
    The seed sends the dash; the current JWT endpoint page sends the real secret (digest 14.1).
    Reported only: either behaviour is documented somewhere.
    Given a JWT policy managed from this policy with grant type password
    When the client requests a token with the real client secret instead of the dash
    Then a token is issued
