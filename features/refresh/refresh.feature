@refresh
Feature: Token refresh (seed 1.1, 1.2, 2.1, 2.2 "Token Refresh")
  With Token Should Be Immortal off and Token Refresh on, the refresh_token grant on the same URL
  issues a new token within the Refreshed Token Validity Period. client_secret is the dash for a
  JWT policy managed from this policy, the real secret everywhere else.

  @must @seed-1.1-refresh @seed-1.2-refresh @seed-2.1-refresh @seed-2.2-refresh
  Scenario Outline: <token> refresh, managed from <mode>, <grant> grant
    Given a <token> policy managed from <mode> with grant type <grant> and refresh allowed and whose token expires
    And the client holds a token issued as documented
    Then the response carries a refresh token
    When the client refreshes the token as documented
    Then a token is issued
    And expires_in is the configured validity

    @policy
    Examples: managed from this policy
      | token  | mode        | grant              |
      | JWT    | this policy | client_credentials |
      | JWT    | this policy | password           |
      | OAuth2 | this policy | client_credentials |
      | OAuth2 | this policy | password           |

    @acl
    Examples: managed from ACL
      | token  | mode | grant              |
      | JWT    | ACL  | client_credentials |
      | JWT    | ACL  | password           |
      | OAuth2 | ACL  | client_credentials |
      | OAuth2 | ACL  | password           |

  @must @seed-1.1-refresh @seed-2.1-refresh @jwt
  Scenario Outline: a refreshed JWT (managed from <mode>) is signed and expires as configured
    Given a JWT policy managed from <mode> with refresh allowed and whose token expires
    And the client holds a token issued as documented
    When the client refreshes the token as documented
    Then a token is issued
    And the access token is a JWT signed with an allowed algorithm
    And the JWT expires at iat plus the configured validity

    Examples:
      | mode        |
      | this policy |
      | ACL         |

  @should @seed-1.2-refresh @seed-2.2-refresh @oauth2 @doc-FAQ
  Scenario Outline: an OAuth2 refresh (managed from <mode>) issues a new access token
    Given an OAuth2 policy managed from <mode> with refresh allowed
    And the client holds a token issued as documented
    When the client refreshes the token as documented
    Then a token is issued
    And the refreshed access token is a new one

    Examples:
      | mode        |
      | this policy |
      | ACL         |

  @must @seed-1.1-refresh-window @seed-1.2-refresh-window @seed-2.1-refresh-window @seed-2.2-refresh-window @slow
  Scenario Outline: no <token> refresh after the refreshed-token validity period (managed from <mode>)
    Given a <token> policy managed from <mode> with a short refresh window
    And the client holds a token issued as documented
    When the refresh window passes
    And the client refreshes the token as documented
    Then no token is issued

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @must @seed-1.1-refresh-window @seed-2.2-refresh-window @doc-FAQ @slow
  Scenario Outline: <token> refresh after the access token expired but inside the window issues a token (managed from <mode>)
    "A refresh can happen before or after the access token has died, as long as the window is
    open" ([FAQ], digest 9). The token lives 1 s and the window 4 s: the scenario waits out the
    token and refreshes with the window still open.
    Given a <token> policy managed from <mode> whose refresh window outlasts a short token validity
    And the client holds a token issued as documented
    When the access token's validity passes
    And the client refreshes the token as documented
    Then a token is issued
    And expires_in is the configured validity

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | ACL         |

  @should @seed-1.1-refresh-window @seed-2.2-refresh-window @rfc-6749 @slow
  Scenario Outline: an expired refresh window is refused with invalid_grant (<token>, <mode>)
    Given a <token> policy managed from <mode> with a short refresh window
    And the client holds a token issued as documented
    When the refresh window passes
    And the client refreshes the token as documented
    Then the request is refused with error "invalid_grant" and status 400 or 401

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | ACL         |

  @must @seed-1.1-refresh @seed-2.2-refresh @doc-FAQ
  Scenario Outline: no <token> refresh after the refresh count is spent (managed from <mode>)
    Given a <token> policy managed from <mode> with refresh allowed and whose token expires
    And the client holds a token issued as documented
    When the client uses every refresh the policy allows
    And the client refreshes the token as documented
    Then no token is issued

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @should @seed-1.2-refresh @rfc-6749
  Scenario Outline: a spent refresh count is refused with invalid_grant (<token>)
    Given a <token> policy managed from this policy with refresh allowed and whose token expires
    And the client holds a token issued as documented
    When the client uses every refresh the policy allows
    And the client refreshes the token as documented
    Then the request is refused with error "invalid_grant" and status 400 or 401

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @seed-1.1-refresh @seed-2.1-refresh
  Scenario Outline: a refresh token the target never issued is refused (<token>, <mode>)
    Given a <token> policy managed from <mode> with refresh allowed
    When the client refreshes with a refresh token the target never issued
    Then no token is issued

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | ACL         |

  @must @seed-x-dash-only-where-documented @seed-1.2-refresh @seed-2.1-refresh @seed-2.2-refresh
  Scenario Outline: a refresh with the dash where the real secret is required is refused (<token>, <mode>)
    Given a <token> policy managed from <mode> with refresh allowed and with grant type client_credentials
    And the client holds a token issued as documented
    When the client refreshes the token with the dash as client secret
    Then the request is refused with error "invalid_client" and status 400 or 401

    Examples:
      | token  | mode        |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @must @seed-x-immortal
  Scenario Outline: an immortal <token> token (managed from <mode>) does not expire and has no refresh token
    Given a <token> policy managed from <mode> whose token never expires
    When the client requests a token as documented
    Then a token is issued
    And expires_in is the configured validity
    And the response carries no refresh token

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @must @seed-x-immortal @jwt @doc-FAQ
  Scenario Outline: an immortal JWT (managed from <mode>) has no exp claim
    Given a JWT policy managed from <mode> whose token never expires
    When the client requests a token as documented
    Then a token is issued
    And the access token is a JWT signed with an allowed algorithm
    And the JWT expires at iat plus the configured validity

    Examples:
      | mode        |
      | this policy |
      | ACL         |

  @must @seed-x-immortal
  Scenario Outline: an immortal <token> token cannot be refreshed
    Given a <token> policy managed from this policy whose token never expires
    When the client refreshes with a refresh token the target never issued
    Then no token is issued

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @seed-x-refresh-off
  Scenario Outline: with Token Refresh off a <token> response has no refresh token and the grant is refused
    Given a <token> policy managed from this policy without refresh and whose token expires
    And the client holds a token issued as documented
    Then the response carries no refresh token
    When the client refreshes with a refresh token the target never issued
    Then no token is issued

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @should @seed-1.1-refresh @seed-2.2-refresh @doc-FAQ @concurrency
  Scenario Outline: simultaneous refreshes of one <token> token never exceed the refresh count (managed from <mode>)
    Refresh Token Count is how many times a token can be refreshed ([FAQ], [CRED]); a gateway
    that checks and counts in two steps lets a burst of refreshes through.
    Given a <token> policy managed from <mode> with refresh allowed and whose token expires
    And the client holds a token issued as documented
    When the client sends more refreshes at once than the policy allows
    Then no more refreshes succeed than the policy allows

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | ACL         |
