#!/bin/sh
# bench-cloudtrail: import speed and memory of the CloudTrail importer on ~500,000 records.
#
# usage: tests/bench/bench-cloudtrail.sh [BUILD_DIR [RECORDS [RUNS]]]
#
# Generates RECORDS (default 500000) CloudTrail records deterministically (fixed seed) into
# gzipped {"Records":[…]} files laid out like an S3 delivery tree — 10,000 records per file,
# except one file holding a fifth of them so that the largest single file is ~100 MB
# uncompressed — then, RUNS times (default 3), times side by side on the same files:
#   full import  backsight import -q CASE.db TREE        (a fresh case each run)
#   importer     bench-hostparse aws_cloudtrail FILE, for each file: the importer alone
#                (gunzip and SHA-256 in the stream's thread, framing, jansson, fields, summary;
#                no case database)
#   jq           zcat TREE/…/*.json.gz | jq -c '.Records[]' >/dev/null (the baseline the issue
#                names; its CPU time is zcat's and jq's)
# with /usr/bin/time: wall time, CPU time (user + system: on a shared machine the wall clock
# measures the neighbours) and peak RSS. Then jansson alone (bench-jsonparse) over the records
# of one 10,000-record file, with the default allocator and with the importers' arena: the
# bound of any importer that hands every record to jansson.
# Prints every run, then the best and the spread ((worst - best) / best) of each figure.
# Targets (issue 6): >= 100,000 records/s on one core, >= 5x the jq pipeline, peak RSS < 256 MiB.
# Set BENCH_DIR to keep (and reuse) the generated files.
set -eu

BUILD=${1:-build}
N=${2:-500000}
RUNS=${3:-3}
BIN=$BUILD/analyzer/backsight
[ -x "$BIN" ] || { echo "bench-cloudtrail: no $BIN (build first)" >&2; exit 2; }
WORK=${BENCH_DIR:-$(mktemp -d)}
TREE=$WORK/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02

if [ ! -d "$TREE" ]; then
	mkdir -p "$TREE"
	python3 - "$TREE" "$N" <<'PY'
import gzip, json, random, sys
tree, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261102)
names = [("s3.amazonaws.com", "GetObject", True), ("s3.amazonaws.com", "ListBuckets", True),
         ("ec2.amazonaws.com", "DescribeInstances", True), ("ec2.amazonaws.com", "RunInstances", False),
         ("iam.amazonaws.com", "CreateUser", False), ("sts.amazonaws.com", "AssumeRole", True),
         ("sts.amazonaws.com", "GetCallerIdentity", True), ("kms.amazonaws.com", "Decrypt", True),
         ("cloudtrail.amazonaws.com", "StopLogging", False), ("lambda.amazonaws.com", "Invoke", False)]
agents = ["aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.amzn.2 prompt/off command/s3.cp",
          "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.2 exec-env/AWS_ECS_FARGATE",
          "aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0"]
def record(i):
    src, name, ro = names[rng.randrange(len(names))]
    task = "%032x" % rng.getrandbits(128)
    key = "ASIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    t = 1793577600 + i // 7
    r = {"eventVersion": "1.09",
         "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLEROLEID:" + task,
                          "arn": "arn:aws:sts::111122223333:assumed-role/app-task-role/" + task,
                          "accountId": "111122223333", "accessKeyId": key,
                          "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEROLEID",
                                             "arn": "arn:aws:iam::111122223333:role/app-task-role",
                                             "accountId": "111122223333", "userName": "app-task-role"},
                                             "attributes": {"creationDate": "2026-11-02T00:00:00Z", "mfaAuthenticated": "false"}}},
         "eventTime": "%04d-%02d-%02dT%02d:%02d:%02dZ" % (2026, 11, 2 + (t - 1793577600) // 86400 % 20,
                                                         t // 3600 % 24, t // 60 % 60, t % 60),
         "eventSource": src, "eventName": name, "awsRegion": "us-east-1",
         "sourceIPAddress": "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)),
         "userAgent": agents[rng.randrange(len(agents))],
         "requestParameters": {"bucketName": "data-%d" % rng.randrange(50), "key": "objects/%08d.parquet" % rng.randrange(10**8),
                               "Host": "data.s3.us-east-1.amazonaws.com"},
         "responseElements": None,
         "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredOut": rng.randrange(10**7)},
         "requestID": "%016X" % rng.getrandbits(64), "eventID": "%08x-%04x-%04x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(48)),
         "readOnly": ro,
         "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::data/objects"}],
         "eventType": "AwsApiCall", "managementEvent": src != "s3.amazonaws.com", "recipientAccountId": "111122223333",
         "eventCategory": "Management" if src != "s3.amazonaws.com" else "Data",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "s3.us-east-1.amazonaws.com"}}
    if name == "AssumeRole":
        r["responseElements"] = {"credentials": {"accessKeyId": key, "secretAccessKey": "x" * 40,
                                                 "sessionToken": "IQoJb3JpZ2luX2Vj" * 20, "expiration": "Nov 2, 2026, 1:00:00 AM"}}
    return r
big = n // 5
sizes = [big] + [10000] * ((n - big) // 10000)
if sum(sizes) < n:
    sizes.append(n - sum(sizes))
i = 0
for f, size in enumerate(sizes):
    path = "%s/111122223333_CloudTrail_us-east-1_20261102T%04dZ_%016x.json.gz" % (tree, f, rng.getrandbits(64))
    with gzip.open(path, "wt", compresslevel=5) as out:
        out.write('{"Records":[')
        for k in range(size):
            if k:
                out.write(",")
            out.write(json.dumps(record(i), separators=(",", ":")))
            i += 1
        out.write("]}")
print("generated %d records in %d files" % (i, len(sizes)), file=sys.stderr)
PY
fi

FILES=$(ls "$TREE" | wc -l)
BYTES=$(cat "$TREE"/*.json.gz | wc -c)
RAW=$(zcat "$TREE"/*.json.gz | wc -c)
echo "input: $N records in $FILES gzip files, $BYTES bytes compressed, $RAW bytes of JSON"

# [label] wall cpu rss_kib, one line per run and measure
: > "$WORK/runs"
measure() { # LABEL COMMAND...
	label=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$@"
	read -r w u s m < "$WORK/t"
	echo "$label $w $(echo "$u + $s" | bc) $m" >> "$WORK/runs"
}
run=1
while [ "$run" -le "$RUNS" ]; do
	rm -f "$WORK/case.db" "$WORK/case.db-wal" "$WORK/case.db-shm"
	measure import "$BIN" import -q --progress=never "$WORK/case.db" "$TREE"
	measure importer sh -c "for f in '$TREE'/*.json.gz; do '$BUILD/tests/bench/bench-hostparse' aws_cloudtrail \"\$f\" > /dev/null; done"
	measure jq sh -c "zcat '$TREE'/*.json.gz | jq -c '.Records[]' > /dev/null"
	run=$((run + 1))
done
EVENTS=$(sqlite3 "$WORK/case.db" "SELECT count(*) FROM events")

# jansson alone, over one file's records (the same generator, so the same record mix).
SAMPLE=$(ls -S "$TREE"/*.json.gz | tail -n 1)
zcat "$SAMPLE" | jq -c '.Records[]' > "$WORK/sample.jsonl"
"$BUILD/tests/bench/bench-jsonparse" "$WORK/sample.jsonl" "$RUNS" > "$WORK/jansson"

awk -v n="$N" -v ev="$EVENTS" -v runs="$RUNS" -v jf="$WORK/jansson" '
function show(l, w, c, m) {
	printf "  %-12s wall %7.2f s %8.0f rec/s   cpu %7.2f s %8.0f rec/s   peak RSS %6.1f MiB\n", l, w, n / w, c, n / c, m / 1024
}
{
	show($1 " #" ++k[$1], $2, $3, $4)
	if (!($1 in bw) || $2 < bw[$1]) bw[$1] = $2
	if (!($1 in ww) || $2 > ww[$1]) ww[$1] = $2
	if (!($1 in bc) || $3 < bc[$1]) bc[$1] = $3
	if (!($1 in wc) || $3 > wc[$1]) wc[$1] = $3
	if ($4 > rss[$1]) rss[$1] = $4
}
END {
	getline line < jf
	split(line, j, " ")
	printf "best of %d runs (spread = (worst - best) / best), %d records, %d events in the case:\n", runs, n, ev
	split("import importer jq", order, " ")
	names["import"] = "full import"; names["importer"] = "importer"; names["jq"] = "zcat | jq -c"
	for (i = 1; i <= 3; i++) {
		l = order[i]
		printf "  %-12s wall %7.2f s (+%3.0f%%) %8.0f rec/s   cpu %7.2f s (+%3.0f%%) %8.0f rec/s   peak RSS %6.1f MiB\n",
		       names[l], bw[l], 100 * (ww[l] - bw[l]) / bw[l], n / bw[l], bc[l], 100 * (wc[l] - bc[l]) / bc[l],
		       n / bc[l], rss[l] / 1024
	}
	jq_us = 1e6 * bc["jq"] / n
	printf "  jansson alone (%d records of one file): %.1f us/record with malloc, %.1f us/record with the arena = at most %.0f rec/s per core, %.2fx jq\n",
	       j[1], 1e6 * j[3] / j[1], 1e6 * j[4] / j[1], j[1] / j[4], jq_us / (1e6 * j[4] / j[1])
	printf "  per record (cpu): full import %.1f us, importer %.1f us (of which jansson ~%.1f), jq %.1f us\n",
	       1e6 * bc["import"] / n, 1e6 * bc["importer"] / n, 1e6 * j[4] / j[1], jq_us
	printf "ratio to jq (cpu): full import %.2fx, importer alone %.2fx;  wall: full import %.2fx\n",
	       bc["jq"] / bc["import"], bc["jq"] / bc["importer"], bw["jq"] / bw["import"]
	printf "targets: >= 100000 rec/s on one core, >= 5x jq, peak RSS < 256 MiB\n"
}' "$WORK/runs"
[ -n "${BENCH_DIR:-}" ] || rm -rf "$WORK"
