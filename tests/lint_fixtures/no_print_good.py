# rule: no-print-in-the-package
import structlog

log = structlog.get_logger()


def cast(ballot):
    log.info("ballot_cast", cycle_id=str(ballot.cycle_id))


if __name__ == "__main__":
    print("a module run as a script may talk to its terminal")
