@errors
Feature: Wrong credentials issue no token (seed-x-wrong-credentials)
  A wrong client secret, an unknown client id or a wrong user password issues no token. The
  error is invalid_client for client authentication and invalid_grant for the user's password
  (digest 2.3, 3.3; RFC 6749 §5.2). The status of invalid_client is 400 in the JWT page and 401
  in the OAuth2 page (digest 14.11): both are accepted.

  @must @seed-x-wrong-credentials
  Scenario Outline: a wrong client secret is refused (<token>, managed from <mode>, <grant>)
    Given a <token> policy managed from <mode> with grant type <grant>
    When the client requests a token with a wrong client secret
    Then the request is refused with error "invalid_client" and status 400 or 401

    Examples:
      | token  | mode        | grant              |
      | JWT    | this policy | client_credentials |
      | OAuth2 | this policy | client_credentials |
      | OAuth2 | this policy | password           |
      | JWT    | ACL         | client_credentials |
      | JWT    | ACL         | password           |
      | OAuth2 | ACL         | client_credentials |
      | OAuth2 | ACL         | password           |

  @must @seed-x-wrong-credentials
  Scenario Outline: an unknown client id is refused (<token>, managed from <mode>)
    The JWT page's own example answers an invalid client id with invalid_grant (digest 2.3).
    Given a <token> policy managed from <mode>
    When the client requests a token with an unknown client id
    Then the request is refused with error "invalid_client" or "invalid_grant" and status 400 or 401

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @must @seed-x-wrong-credentials @password
  Scenario Outline: a wrong user password is refused (<token>, managed from <mode>)
    Given a <token> policy managed from <mode> with grant type password
    When the client requests a token with a wrong user password
    Then no token is issued

    Examples:
      | token  | mode        |
      | JWT    | this policy |
      | OAuth2 | this policy |
      | JWT    | ACL         |
      | OAuth2 | ACL         |

  @should @seed-x-wrong-credentials @password @rfc-6749
  Scenario Outline: a wrong user password is invalid_grant (<token>)
    Given a <token> policy managed from this policy with grant type password
    When the client requests a token with a wrong user password
    Then the request is refused with error "invalid_grant" and status 400 or 401

    Examples:
      | token  |
      | JWT    |
      | OAuth2 |

  @must @seed-x-dash-only-where-documented
  Scenario Outline: the dash is refused where the seed requires the real secret (<token>, <grant>, managed from this policy)
    Given a <token> policy managed from this policy with grant type <grant>
    When the client requests a token with the dash as client secret
    Then the request is refused with error "invalid_client" and status 400 or 401

    Examples:
      | token  | grant              |
      | JWT    | client_credentials |
      | OAuth2 | client_credentials |
      | OAuth2 | password           |
