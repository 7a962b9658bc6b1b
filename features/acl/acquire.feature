@acl
Feature: Token acquisition with "Manage From ACL" (seed section 2)
  A credential's Client Id and Client Secret get a token from /credential/jwt or
  /credential/token. Every grant sends the credential's real secret (seed 2.1, 2.2); the grant
  type and refresh come from the credential's Token Settings, not from the policy.

  @must @seed-2.1-cc @seed-2.2-cc @seed-2.1-token-settings @seed-2.2-token-settings @client_credentials
  Scenario Outline: <token> client_credentials with a credential
    Given a <token> policy managed from ACL with grant type client_credentials
    When the client requests a token as documented
    Then a token is issued
    And expires_in is the configured validity

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @seed-2.1-password @seed-2.2-password @seed-2.1-token-settings @seed-2.2-token-settings @password
  Scenario Outline: <token> password grant with a credential and a user of the authentication pool
    Given a <token> policy managed from ACL with grant type password
    When the client requests a token as documented
    Then a token is issued
    And expires_in is the configured validity

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @seed-2.1-content-type @seed-2.2-content-type
  Scenario Outline: <token> <grant> request is an x-www-form-urlencoded POST
    Given a <token> policy managed from ACL with grant type <grant>
    When the client requests a token with content type "application/x-www-form-urlencoded"
    Then a token is issued

    Examples:
      | token  | grant              |
      | JWT    | client_credentials |
      | JWT    | password           |
      | OAuth2 | client_credentials |
      | OAuth2 | password           |

  @must @seed-2.1-cc @seed-2.1-password @jwt
  Scenario Outline: an ACL-mode JWT from a <grant> credential is signed and expires as configured
    Given a JWT policy managed from ACL with grant type <grant>
    When the client requests a token as documented
    Then a token is issued
    And the access token is a JWT signed with an allowed algorithm
    And the JWT expires at iat plus the configured validity

    Examples:
      | grant              |
      | client_credentials |
      | password           |

  @must @seed-x-dash-only-where-documented @seed-2.1-password @seed-2.2-password
  Scenario Outline: the dash is refused where the credential's real secret is required (<token> <grant>)
    Given a <token> policy managed from ACL with grant type <grant>
    When the client requests a token with the dash as client secret
    Then the request is refused with error "invalid_client" and status 400 or 401

    Examples:
      | token  | grant              |
      | JWT    | client_credentials |
      | JWT    | password           |
      | OAuth2 | password           |
