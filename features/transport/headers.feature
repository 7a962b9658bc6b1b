@headers
Feature: Response headers and body format
  The Apinizer docs state no response headers (digest 10.5, 15.1). RFC 6749 §5.1 requires
  Cache-Control: no-store and Pragma: no-cache on token responses and a JSON body; §5.2 the same
  for errors. Graded @should (DESIGN.md precedence 3).

  @should @rfc-6749 @seed-1.1-cc @seed-2.2-cc
  Scenario Outline: a <token> token response (managed from <mode>) is JSON and not cacheable
    Given a <token> policy managed from <mode> with grant type client_credentials
    When the client requests a token as documented
    Then a token is issued
    And the response is JSON
    And the response forbids caching

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @should @rfc-6749 @seed-x-wrong-credentials
  Scenario Outline: a <token> error response is JSON and not cacheable
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client requests a token with a wrong client secret
    Then no token is issued
    And the response is JSON
    And the response forbids caching
    And the error response has the documented shape

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @doc-JWT @doc-TOK @seed-1.1-cc @seed-1.2-cc
  Scenario Outline: token_type is spelled "Bearer" (<token>)
    The docs say "Always Bearer"; RFC 6749 §7.1 reads it case-insensitively, which
    "a token is issued" accepts. The exact spelling is this rule.
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client requests a token as documented
    Then a token is issued
    And the token type is exactly "Bearer"

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |
