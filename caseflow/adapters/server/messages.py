"""Refusals of the account service, listed for the catalogs.

Services raise English messages; interfaces look each one up in the catalog of the
person's language (``context.localized``). These have no ``_()`` call where they
are raised, so they are named here for the extractor. Never imported at run time.
"""


def _(message: str) -> str:
    return message


MESSAGES = (
    _("a password needs at least 8 characters"),
    _("a password has at most 256 characters"),
    _("a password cannot have control characters or surrounding spaces"),
    _("a password cannot be the login"),
    _("the current password is wrong"),
    _("too many failed sign-ins; try again later"),
    _("an admin can reset the password with `caseflow user password LOGIN`"),
    _("wrong login or password"),
    _("an admin sets passwords with `caseflow user password LOGIN`"),
    _("not signed in: the token is missing or not valid"),
    _("not signed in: the token is not valid or was revoked"),
    _("run `caseflow login`"),
    _("no token to revoke: this command is not signed in to a server"),
    _("only users get tokens"),
    _("sign-in needs \"login\" and \"password\" (strings)"),
    _("the request body is not JSON"),
    _("the request body must be a JSON object"),
    _("the request body is too large"),
)
