export const USAGE = `Usage: esa-stage publish <file> --name <routine> [options]
       esa-stage versions list --name <routine>
       esa-stage versions delete --name <routine> <version>...
       esa-stage versions prune --name <routine> --keep <n>
       esa-stage deploy --name <routine> --version <version> --env staging|production [--percentage <p>] [--verify <path>]

publish: checks one bundled ES module (its default export handles requests), uploads it, commits a
version and deploys it (staging by default). Bytes equal to a version an environment serves make no
new version ("unchanged").
versions: lists (which environment serves each, at what share), deletes (never a deployed one), or
prunes the versions no environment serves beyond the newest <n>.
deploy: promotes or rolls back to an existing version, or splits traffic with --percentage; with
--verify, staging serves the version and must answer before production changes.

Options:
  -n, --name <routine>         the routine (required)
  -d, --description <text>     publish: code description (default: "<short sha>[-dirty] <subject>" from git)
      --deploy <env>           publish: staging (default), production (staging, then production) or none
      --percentage <p>         publish/deploy: the new version's share of the last environment (a canary)
      --env <env>              deploy: staging or production
      --version <version>      deploy: the version to deploy
      --keep <n>               versions prune: how many of the newest versions to keep
      --assets <dir>           publish: static files to publish with the routine, as one version with assets
      --not-found-strategy <s> publish: singlePageApplication or 404Page, for paths that are no asset file
      --pipeline <kind>        publish: single-file (staging slot) or assets (default: assets with --assets)
      --force                  publish: make a new version even when the bytes are unchanged
      --prune <keep>           publish: when the version quota is full, prune (keeping <keep>) and retry
      --verify <path>          publish/deploy: after the staging deploy, GET this path from staging until it answers 2xx; only then promote
      --verify-timeout <s>     publish/deploy: how long staging may take to answer --verify (default 60)
      --deploy-api <api>       deployment (CreateRoutineCodeDeployment, default) or legacy (PublishRoutineCodeVersion)
      --timeout <seconds>      time allowed for each request and upload (default 60)
      --retries <n>            retries of a request that failed on the network, with a 5xx or throttling (default 3)
      --endpoint <url>         ESA OpenAPI endpoint (default: env ESA_ENDPOINT, else the region's)
      --region <id>            cn-hangzhou (default) or ap-southeast-1
      --profile <name>         ~/.aliyun/config.json profile (default: env ALIBABA_CLOUD_PROFILE, else current)
      --sts-endpoint <url>     STS for OIDC / RamRoleArn credentials (default: env ESA_STAGE_STS_ENDPOINT, else by region)
      --manifest <file>        publish: write the result, or the error, to this JSON file (for CI)
      --dry-run                publish: print the plan (routine, file, size, sha256, description, endpoint, steps); no request
      --json                   print the result as one JSON object on stdout
      --quiet                  log errors only
      --verbose                log each step (debug)
  -h, --help                   show this help
  -v, --version                print esa-stage's version (alone; with deploy it names the code version)

Credentials: env ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN, env ESA_ACCESS_KEY_ID / ...,
or ~/.aliyun/config.json. Exit code 0 on success, 1 on any failure. Under GitHub Actions, publish
also writes the step outputs routine, status, code_version, sha256 and verify_status, and a step summary.
`;
