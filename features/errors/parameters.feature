@errors
Feature: Missing parameters and wrong content types
  The seed's tables list the parameters each grant sends; a request without one issues no token.
  RFC 6749 §5.2 names invalid_request for a missing parameter; the Apinizer docs leave it open
  (digest 15.3, 15.5), so the codes the docs use for neighbouring cases are accepted too. The
  body is x-www-form-urlencoded (seed 1.1); another content type issues no token (digest 15.16:
  400 or 415).

  @must @seed-1.1-cc @seed-2.2-cc
  Scenario Outline: a <token> request without "<param>" issues no token
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client requests a token without the "<param>" parameter
    Then no token is issued

    Examples:
      | token  | param         |
      | JWT    | grant_type    |
      | JWT    | client_id     |
      | OAuth2 | grant_type    |
      | OAuth2 | client_id     |
      | OAuth2 | client_secret |

  @must @seed-1.1-password @seed-2.1-password @password
  Scenario Outline: a <token> password request (managed from <mode>) without "<param>" issues no token
    Given a <token> policy managed from <mode> with grant type password
    When the client requests a token without the "<param>" parameter
    Then no token is issued

    Examples:
      | token  | mode        | param    |
      | JWT    | this policy | username |
      | JWT    | this policy | password |
      | OAuth2 | ACL         | username |
      | OAuth2 | ACL         | password |

  @should @rfc-6749 @seed-1.1-cc
  Scenario Outline: a missing "<param>" is answered with a documented error code (<token>)
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client requests a token without the "<param>" parameter
    Then the request is refused with error <codes> and status 400 or 401

    Examples:
      | token  | param      | codes                                                          |
      | JWT    | grant_type | "invalid_request" or "unsupported_grant_type" or "invalid_grant" |
      | OAuth2 | grant_type | "invalid_request" or "unsupported_grant_type" or "invalid_grant" |
      | JWT    | client_id  | "invalid_request" or "invalid_client"                          |
      | OAuth2 | client_id  | "invalid_request" or "invalid_client"                          |

  @must @seed-1.1-content-type @seed-1.2-content-type @seed-2.1-content-type @seed-2.2-content-type
  Scenario Outline: a <token> request as "<content_type>" issues no token (managed from <mode>)
    Given a <token> policy managed from <mode> with grant type client_credentials
    When the client requests a token with content type "<content_type>"
    Then no token is issued

    Examples:
      | token  | mode        | content_type     |
      | JWT    | this policy | application/json |
      | OAuth2 | this policy | text/plain       |
      | JWT    | ACL         | text/plain       |
      | OAuth2 | ACL         | application/json |

  @should @rfc-6749
  Scenario Outline: a wrong content type is answered 400 or 415 with the error shape (<token>)
    Given a <token> policy managed from this policy with grant type client_credentials
    When the client requests a token with content type "<content_type>"
    Then the request is refused with status 400 or 415
    And the error response has the documented shape

    Examples:
      | token  | content_type     |
      | JWT    | application/json |
      | OAuth2 | text/plain       |
