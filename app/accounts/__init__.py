"""Users, roles, API tokens, sign-in and what each user may see."""
