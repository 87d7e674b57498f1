"""User agents: the strings SDKs, the CLI, consoles and browsers send, by kind."""

import re


CLI_NAMES = {"ec2": "ec2", "s3": "s3api", "iam": "iam", "sts": "sts", "kms": "kms", "lambda": "lambda",
             "ssm": "ssm", "logs": "logs", "monitoring": "cloudwatch", "dynamodb": "dynamodb",
             "organizations": "organizations", "signin": "signin"}


def cli_command(src, name):
    svc = src.split(".")[0]
    op = re.sub(r"\d{8}(v\d)?$", "", name)
    if svc == "s3" and op == "ListBuckets":
        return "s3.ls"
    return CLI_NAMES.get(svc, svc) + "." + re.sub(r"(?<!^)(?=[A-Z])", "-", op).lower()


UA = {
    "cli-mac": "aws-cli/2.22.12 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 "
               "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}",
    "cli-linux": "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1019-aws md/arch#x86_64 lang/python#3.12.6 "
                 "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off "
                 "md/command#{cmd}",
    "cli-attacker": "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-generic exe/x86_64.kali.2024 prompt/off "
                    "command/{cmd}",
    "boto3": "Boto3/1.35.76 md/Botocore#1.35.76 ua/2.0 os/linux#6.1.115-126.197.amzn2023.x86_64 md/arch#x86_64 "
             "lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.76",
    "boto3-lambda": "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 "
                    "lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy "
                    "Botocore/1.35.36",
    "go": "aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.24.7",
    "terraform": "APN/1.0 HashiCorp/1.0 Terraform/1.10.2 (+https://www.terraform.io) terraform-provider-aws/5.81.0 "
                 "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux "
                 "lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.24.7",
    "java": "aws-sdk-java/2.29.29 md/io#sync md/http#Apache ua/2.1 os/Linux#5.10.228-219.884.amzn2.x86_64 "
            "lang/java#21.0.5 md/OpenJDK_64-Bit_Server_VM#21.0.5+11-LTS md/vendor#Amazon.com_Inc. md/en_US "
            "exec-env/AWS_ECS_FARGATE m/D,N cfg/retry-mode#legacy",
    "ssm-agent": "aws-sdk-go/1.55.5 (go1.22.9; linux; amd64) amazon-ssm-agent/3.3.1230.0",
    "lambda-worker": "awslambda-worker/1.0 rusoto/0.48.0 rust/1.80.1 linux",
    "console": "AWS Internal",
    "python-requests": "python-requests/2.31.0",
    "browser-attacker": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "browser": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/131.0.0.0 Safari/537.36",
    "browser-win": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "s3-console": "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.779 Linux/5.10.228-198.884.amzn2int.x86_64 "
                  "OpenJDK_64-Bit_Server_VM/25.432-b06 java/1.8.0_432 vendor/Oracle_Corporation "
                  "cfg/retry-mode/standard]",
}


def user_agent(kind, src, name):
    s = UA.get(kind, kind)
    if "{" in s:
        s = s.replace("{cmd}", cli_command(src, name)).replace("{svc}", src.split(".")[0])
    return s
