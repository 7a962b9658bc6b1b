@url_params
Feature: GET with URL parameters (seed 1.1, 1.2, 2.1, 2.2 "Allow URL Parameters")
  With Allow URL Parameters on, the same parameters may be sent by GET in the query string, for
  acquisition and for refresh. With it off, the parameters must be in a POST body: a GET issues
  no token.

  @must @seed-1.1-get @seed-1.2-get @seed-2.1-get @seed-2.2-get
  Scenario Outline: <token> <grant> token by GET with URL parameters (managed from <mode>)
    Given a <token> policy managed from <mode> with grant type <grant> and that allows URL parameters
    When the client requests a token as documented by GET with URL parameters
    Then a token is issued
    And expires_in is the configured validity

    Examples:
      | token  | mode        | grant              |
      | JWT    | this policy | client_credentials |
      | JWT    | this policy | password           |
      | OAuth2 | this policy | client_credentials |
      | OAuth2 | this policy | password           |
      | JWT    | ACL         | client_credentials |
      | JWT    | ACL         | password           |
      | OAuth2 | ACL         | client_credentials |
      | OAuth2 | ACL         | password           |

  @must @seed-1.1-refresh-get @seed-1.2-refresh-get @seed-2.1-refresh-get @seed-2.2-refresh-get @refresh
  Scenario Outline: <token> refresh by GET with URL parameters (managed from <mode>)
    Given a <token> policy managed from <mode> with refresh allowed and that allows URL parameters
    And the client holds a token issued as documented
    When the client refreshes the token as documented by GET with URL parameters
    Then a token is issued

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @must @seed-x-post-only
  Scenario Outline: GET issues no <token> token without Allow URL Parameters (managed from <mode>)
    Given a <token> policy managed from <mode> that does not allow URL parameters
    When the client requests a token as documented by GET with URL parameters
    Then no token is issued

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @should @seed-x-post-only @rfc-9110
  Scenario Outline: a refused GET is answered 405 or 400 (<token>)
    Given a <token> policy managed from this policy that does not allow URL parameters
    When the client requests a token as documented by GET with URL parameters
    Then the request is refused with status 405 or 400

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @seed-x-post-only @refresh
  Scenario: a refresh by GET is refused without Allow URL Parameters
    Given a JWT policy managed from ACL with refresh allowed and that does not allow URL parameters
    And the client holds a token issued as documented
    When the client refreshes the token as documented by GET with URL parameters
    Then no token is issued
