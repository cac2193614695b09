# rule: secrets-not-random
import random
import secrets


def submission_token():
    return secrets.token_urlsafe(24)


def ballot_order(ballots):
    random.SystemRandom().shuffle(ballots)
