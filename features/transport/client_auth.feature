@client_auth @doc-TOK
Feature: Client authentication by HTTP Basic (digest 1.4)
  Besides the seed's form fields, the current docs accept the client's id and secret in an
  `Authorization: Basic` header (client_secret_basic; since 2026.04.4, APNZ-6231). Both at once
  is 400 invalid_request (RFC 6749 §2.3.1), a Basic header that does not decode is 401
  invalid_client. Graded @should: the seed documents only the form, and older gateways lack it.

  @should @seed-1.2-cc @seed-2.1-cc
  Scenario Outline: <token> <grant> with HTTP Basic client authentication (managed from <mode>)
    Given a <token> policy managed from <mode> with grant type <grant>
    When the client requests a token as documented with HTTP Basic client authentication
    Then a token is issued

    Examples:
      | token  | mode        | grant              |
      | JWT    | this policy | client_credentials |
      | OAuth2 | this policy | password           |
      | JWT    | ACL         | password           |
      | OAuth2 | ACL         | client_credentials |

  @should @doc-UI-JWT @rfc-6749
  Scenario Outline: credentials in HTTP Basic and in the body at once are refused (<token>)
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client sends its credentials both in HTTP Basic and in the body
    Then the request is refused with error "invalid_request" and status 400

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @should @doc-UI-JWT
  Scenario Outline: a malformed HTTP Basic header is refused (<token>)
    Given a <token> policy managed from ACL with grant type client_credentials
    When the client requests a token with a malformed HTTP Basic header
    Then the request is refused with error "invalid_client" and status 401

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |
