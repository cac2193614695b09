# rule: no-print-in-the-package


def cast(ballot):
    # ruleid: no-print-in-the-package
    print("ballot cast by", ballot.voter_email)
