# rule: secrets-not-random
import random
import string


def submission_token():
    # ruleid: secrets-not-random
    return "".join(random.choice(string.ascii_letters) for _ in range(24))


def ballot_order(ballots, seed):
    # ruleid: secrets-not-random
    random.Random(seed).shuffle(ballots)
