@scope
Feature: Token acquisition with scope (seed 1.3)
  scope is the name of a role defined for the user (password) or for the key or credential
  (client_credentials). The granted scope comes back in the response and, for a JWT, as the
  scope claim (digest 10.2). Scope works the same in both modes (digest 14.4).

  @must @seed-1.3-cc @seed-1.3-role @client_credentials
  Scenario Outline: <token> client_credentials with a role of the key as scope (managed from <mode>)
    Given a <token> policy managed from <mode> with grant type client_credentials
    When the client requests a token with a scope the principal holds
    Then a token is issued
    And the granted scope is the requested role

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @must @seed-1.3-password @seed-1.3-role @password
  Scenario Outline: <token> password grant with a role of the user as scope (managed from <mode>)
    Given a <token> policy managed from <mode> with grant type password
    When the client requests a token with a scope the principal holds
    Then a token is issued
    And the granted scope is the requested role

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @must @seed-x-scope-not-held @doc-TMS
  Scenario Outline: a <token> <grant> scope the principal does not hold is handled per the target's scope setting
    Given a <token> policy managed from this policy with grant type <grant>
    When the client requests a token with a scope the principal holds and one it does not hold
    Then the scope mismatch is handled as the target's scope setting says

    Examples:
      | token  | grant              |
      | JWT    | client_credentials |
      | JWT    | password           |
      | OAuth2 | client_credentials |
      | OAuth2 | password           |

  @must @seed-x-scope-not-held @seed-1.3-role @acl
  Scenario: in ACL mode a role the user does not hold is handled per the target's scope setting
    Given a JWT policy managed from ACL with grant type password
    When the client requests a token with a scope the principal holds and one it does not hold
    Then the scope mismatch is handled as the target's scope setting says

  @should @seed-x-scope-not-held @doc-TMS
  Scenario: a scope made only of roles the principal does not hold issues no scope it does not hold
    Given a JWT policy managed from this policy with grant type client_credentials
    When the client requests a token with a scope the principal does not hold
    Then the scope mismatch is handled as the target's scope setting says
