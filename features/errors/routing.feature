@errors
Feature: A key works only on its own mode's prefix and token kind's endpoint
  A policy key works on /auth/... only and a credential on /credential/... only
  (seed-x-mode-prefix; Apinizer's URL_TOKEN_MANAGEMENT_TYPE_MISMATCH, digest 1.2). A JWT policy's
  key works on .../jwt, an OAuth2 policy's on .../token (seed-x-token-kind).

  @must @seed-x-mode-prefix
  Scenario Outline: a <token> key managed from <mode> gets no token on the other mode's prefix
    Given a <token> policy managed from <mode> with grant type client_credentials
    When the client requests a token on the other mode's prefix
    Then no token is issued

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @must @seed-x-token-kind
  Scenario Outline: a <token> key managed from <mode> gets no token on the other token kind's endpoint
    Given a <token> policy managed from <mode> with grant type client_credentials
    When the client requests a token on the other token kind's endpoint
    Then no token is issued

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |
