@shape
Feature: Response shapes
  The normalised shape of each kind of response (status, Content-Type, Cache-Control, Pragma,
  field names and types, the values the spec fixes) is locked by a snapshot in snapshots/.
  Tokens, ids and times are typed placeholders; Apinizer's X-... fields are reported, not
  failed. Graded @should: the shape adds the RFC headers to what the docs fix.

  @should @seed-1.1-refresh @seed-2.1-refresh @jwt
  Scenario Outline: a refreshable JWT response (managed from <mode>)
    Given a JWT policy managed from <mode> with grant type client_credentials and refresh allowed and whose token expires
    When the client requests a token as documented
    Then a token is issued
    And the response matches the snapshot "jwt-refreshable"

    Examples:
      | mode        |
      | this policy |
      | ACL         |

  @should @seed-1.2-refresh @seed-2.2-refresh @oauth2
  Scenario Outline: a refreshable OAuth2 response (managed from <mode>)
    Given an OAuth2 policy managed from <mode> with grant type client_credentials and refresh allowed and whose token expires
    When the client requests a token as documented
    Then a token is issued
    And the response matches the snapshot "oauth2-refreshable"

    Examples:
      | mode        |
      | this policy |
      | ACL         |

  @should @seed-x-immortal
  Scenario Outline: an immortal <token> response
    Given a <token> policy managed from this policy whose token never expires
    When the client requests a token as documented
    Then a token is issued
    And the response matches the snapshot "<snapshot>"

    Examples:
      | token  | snapshot         |
      | JWT    | jwt-immortal     |
      | OAuth2 | oauth2-immortal  |

  @should @seed-1.3-cc @scope
  Scenario: a JWT response with a granted scope
    Given a JWT policy managed from this policy with grant type client_credentials and refresh allowed and whose token expires
    When the client requests a token with a scope the principal holds
    Then a token is issued
    And the response matches the snapshot "jwt-scoped"

  @should @seed-x-wrong-credentials
  Scenario Outline: an invalid_client error response (<token>)
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client requests a token with a wrong client secret
    Then no token is issued
    And the response matches the snapshot "error-invalid-client"

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |
