@policy
Feature: Token acquisition with "Manage From This Policy" (seed section 1)
  A policy's key (API proxy, proxy group or policy group) gets a token from /auth/jwt or
  /auth/token, with the parameters of the seed's tables.

  @must @seed-1.1-cc @seed-1.2-cc @seed-1-key-api-proxy @seed-1-key-proxy-group @seed-1-key-policy-group @client_credentials
  Scenario Outline: <token> client_credentials with a key of <level>
    Given a <token> policy managed from this policy with grant type client_credentials and whose key belongs to <level>
    When the client requests a token as documented
    Then a token is issued
    And expires_in is the configured validity

    @jwt
    Examples: JWT
      | token | level            |
      | JWT   | an API proxy     |
      | JWT   | a proxy group    |
      | JWT   | a policy group   |

    @oauth2
    Examples: OAuth2
      | token  | level          |
      | OAuth2 | an API proxy   |
      | OAuth2 | a proxy group  |
      | OAuth2 | a policy group |
