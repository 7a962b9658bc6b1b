@errors
Feature: Grant types
  A policy or credential defined with one grant type does not issue tokens for the other
  (seed-x-grant-of-policy; the seed's tables are keyed by the grant "selected when defining the
  policy"). An unknown grant type is refused: RFC 6749 says unsupported_grant_type, the Apinizer
  docs only ever name invalid_grant ("grant type is not supported", digest 14.12, 15.3), so both
  are accepted.

  @must @seed-x-grant-of-policy
  Scenario Outline: a <token> <grant> policy (managed from <mode>) refuses the other grant type
    Given a <token> policy managed from <mode> with grant type <grant>
    When the client requests a token with the grant type the policy was not defined with
    Then no token is issued

    Examples:
      | token  | mode        | grant              |
      | JWT    | this policy | client_credentials |
      | JWT    | this policy | password           |
      | OAuth2 | this policy | client_credentials |
      | OAuth2 | this policy | password           |
      | JWT    | ACL         | client_credentials |
      | OAuth2 | ACL         | password           |

  @should @seed-x-grant-of-policy @doc-JWT @rfc-6749
  Scenario Outline: the other grant type is refused with a documented code (<token>)
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client requests a token with the grant type the policy was not defined with
    Then the request is refused with error "invalid_grant" or "unauthorized_client" or "unsupported_grant_type" and status 400 or 401

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @errors @doc-JWT
  Scenario Outline: an unknown grant type "<grant_type>" is refused (<token>)
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client requests a token with grant type "<grant_type>"
    Then the request is refused with error "unsupported_grant_type" or "invalid_grant" and status 400

    Examples:
      | token  | grant_type         |
      | JWT    | authorization_code |
      | OAuth2 | implicit           |
      | JWT    | tokenspec-unknown  |
