@introspection @doc-INT
Feature: Introspection confirms what was issued (RFC 7662; digest 5)
  POST {prefix}/introspect tells a client whether one of its own tokens is live. The suite uses
  it to check what a token response alone cannot show: that an opaque token is real, that a
  refresh retires the old OAuth2 token, that expiry and ownership are enforced. A token that is
  unknown, expired, refreshed away, another client's or a refresh JWT is exactly
  {"active": false}. The client authenticates with HTTP Basic, which [INT] lists as required.

  @must @seed-1.2-cc @seed-2.2-password
  Scenario Outline: an issued <token> token introspects active for its client (managed from <mode>, <grant>)
    Given a <token> policy managed from <mode> with grant type <grant>
    And the client holds a token issued as documented
    When the client introspects the access token
    Then the introspection says the token is active

    Examples:
      | token  | mode        | grant              |
      | OAuth2 | this policy | client_credentials |
      | OAuth2 | this policy | password           |
      | OAuth2 | ACL         | client_credentials |
      | OAuth2 | ACL         | password           |
      | JWT    | this policy | client_credentials |
      | JWT    | ACL         | password           |

  @must
  Scenario Outline: a <token> token is inactive for another client (managed from <mode>)
    Given a <token> policy managed from <mode> with grant type client_credentials
    And the client holds a token issued as documented
    When another client introspects the access token
    Then the introspection says the token is inactive

    Examples:
      | token  | mode        |
      | OAuth2 | this policy |
      | JWT    | ACL         |

  @must
  Scenario Outline: a token the target never issued is inactive (<token>)
    Given a <token> policy managed from this policy with grant type client_credentials
    And the client holds a token issued as documented
    When the client introspects a token the target never issued
    Then the introspection says the token is inactive

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @seed-1.2-refresh @seed-2.2-refresh @refresh @doc-FAQ
  Scenario Outline: an OAuth2 refresh retires the previous access token (managed from <mode>)
    Given an OAuth2 policy managed from <mode> with refresh allowed and whose token expires
    And the client holds a token issued as documented
    When the client refreshes the token as documented
    Then a token is issued
    When the client introspects the previous access token
    Then the introspection says the token is inactive
    When the client introspects the access token
    Then the introspection says the token is active

    Examples:
      | mode        |
      | this policy |
      | ACL         |

  @must @seed-1.1-refresh @refresh
  Scenario: a JWT refresh token is not an access token
    Given a JWT policy managed from this policy with refresh allowed and whose token expires
    And the client holds a token issued as documented
    When the client introspects the refresh token
    Then the introspection says the token is inactive

  @must @slow
  Scenario Outline: an expired <token> token is inactive (managed from <mode>)
    Given a <token> policy managed from <mode> with a short token validity
    And the client holds a token issued as documented
    When the access token's validity passes
    And the client introspects the access token
    Then the introspection says the token is inactive

    Examples:
      | token  | mode        |
      | OAuth2 | this policy |
      | JWT    | ACL         |

  @must @seed-x-immortal
  Scenario: an immortal OAuth2 token stays active
    Given an OAuth2 policy managed from ACL whose token never expires
    And the client holds a token issued as documented
    When the client introspects the access token
    Then the introspection says the token is active
