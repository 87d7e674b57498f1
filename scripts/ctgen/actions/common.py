"""What the action families share: identity classes, the regional endpoint, and the registries that say
which actions the background noise may make, and who makes them."""

HUMAN = {"human", "console", "console-ro"}
HUMANISH = HUMAN | {"ci", "deploy"}
APPS = {"ec2app", "lambdaapp", "ecsapp"}


def regional_host(svc, region):
    return f"{svc}.{region}.amazonaws.com"


SENSITIVE = set()  # actions left out of the fixtures' background noise (the story has its own)
MGMT_ONLY = set()  # Organizations reads: only the management account makes them
SERVICES = {}  # builder -> the AWS service principals that make that call


def sensitive(builder):
    SENSITIVE.add(builder)
    return builder


def mgmt_only(builder):
    MGMT_ONLY.add(builder)
    return builder


def by_services(builder, *services):
    SERVICES[builder] = services
    return builder
