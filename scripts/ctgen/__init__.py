"""ctgen: deterministic generator of realistic AWS CloudTrail logs for trailhound.

Standard library only (Python 3.11). Everything is derived from fixed seeds, so the same command always
writes the same bytes. Run it as `python3 scripts/ctgen.py` (see that file for the command line).

Record shapes follow the public CloudTrail record-contents documentation; all names, keys, addresses and ids
are made up (documentation IP ranges, EXAMPLE key ids).

Modules, from the bottom up:
    basics          accounts, seeded ids and keys, time formats, gzip, compact JSON
    records         the record envelope and the userIdentity shapes
    agents          user-agent strings
    world           a synthetic account's principals and resources; who makes background calls
    actions/        the background action catalogue, one module per event family (ec2, s3, iam, signin, sts,
                    kms, awslambda, ssm, monitoring, dynamodb, organizations)
    denials         AccessDenied codes and messages
    noise           templates and the stream that renders background records
    corpus          `corpus`: large benchmark corpora
    layout          S3 key prefixes, writing files
    demo            the demo tree's calendar, cast and story recorder (Scenario)
    demo_story      the demo tree's story, in order: demo_day1, demo_day2 (the leaked key), demo_day3
    logs            Fixtures/logs: files, noise, digests, manifest, README
    formats         Fixtures/formats: one set of events in every input format
    malformed       Fixtures/malformed: broken inputs
    scenario_story  Story: the recorder of one scenario fixture
    scenarios       Fixtures/scenarios: the incidents for the stateful rules
    cli             the command line

A seed is a string (rng_for); a change that draws one more random number from an existing generator changes
every value after it, so new events take generators of their own (see demo.Scenario's part 1).
"""
