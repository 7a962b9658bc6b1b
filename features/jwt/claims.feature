@jwt
Feature: JWT claims and header (digest 8, 11.3, 11.4)
  The seed does not document a JWT's claims. The API reference lists common defaults ([JWT],
  digest 11.3: iss the gateway address, aud "usually the application key"); the screenshots show
  what Apinizer issues (digest 11.4: iss the client id, or the username for the password grant;
  aud "#GW#" + client id in policy mode, the bare client id in ACL mode; a jti in every token; a
  kid in the header that names a JWKS key, [DIS] digest 8). Where they differ the step accepts
  both forms and names them when failing; which form was seen is a note. See DECISIONS.md
  ("JWT claims").

  @should @doc-JWT @doc-IMG
  Scenario Outline: the iss claim names the principal or the gateway (<grant>, managed from <mode>)
    Given a JWT policy managed from <mode> with grant type <grant>
    When the client requests a token as documented
    Then a token is issued
    And the JWT's iss claim is the principal or the gateway address

    Examples:
      | mode        | grant              |
      | this policy | client_credentials |
      | this policy | password           |
      | ACL         | client_credentials |
      | ACL         | password           |

  @should @doc-IMG @doc-FAQ
  Scenario Outline: a refreshed <grant> JWT keeps the principal as iss (managed from <mode>)
    The screenshot of a refreshed token carries the same claims as the first one (digest 11.4).
    Given a JWT policy managed from <mode> with grant type <grant> and refresh allowed and whose token expires
    And the client holds a token issued as documented
    When the client refreshes the token as documented
    Then a token is issued
    And the JWT's iss claim is the principal or the gateway address

    Examples:
      | mode        | grant    |
      | this policy | password |
      | ACL         | password |

  @should @doc-JWT @doc-IMG
  Scenario Outline: the aud claim names the client (<grant>, managed from <mode>)
    Given a JWT policy managed from <mode> with grant type <grant>
    When the client requests a token as documented
    Then a token is issued
    And the JWT's aud claim names the client as the mode documents

    Examples:
      | mode        | grant              |
      | this policy | client_credentials |
      | this policy | password           |
      | ACL         | client_credentials |
      | ACL         | password           |

  @should @doc-IMG @rfc-7519
  Scenario Outline: every JWT carries its own jti (<grant>, managed from <mode>)
    Given a JWT policy managed from <mode> with grant type <grant>
    When the client requests a token as documented
    Then a token is issued
    And the JWT carries a jti claim
    When the client requests a token as documented
    Then a token is issued
    And the JWT's jti differs from the earlier token's

    Examples:
      | mode        | grant              |
      | this policy | client_credentials |
      | ACL         | password           |

  @should @doc-IMG @rfc-7519
  Scenario: a refreshed JWT carries a new jti
    Given a JWT policy managed from this policy with refresh allowed and whose token expires
    And the client holds a token issued as documented
    Then the JWT carries a jti claim
    When the client refreshes the token as documented
    Then a token is issued
    And the JWT's jti differs from the earlier token's

  @must @doc-DIS @doc-IMG
  Scenario Outline: the JWT header's kid names a key of the target's JWKS (<grant>, managed from <mode>)
    Each mode prefix publishes its own JWKS; the grant does not change the key.
    Given a JWT policy managed from <mode> with grant type <grant> and signed with a published key
    When the client requests a token as documented
    Then a token is issued
    And the JWT header's kid names a key of the target's JWKS

    Examples:
      | mode        | grant              |
      | this policy | client_credentials |
      | ACL         | password           |
