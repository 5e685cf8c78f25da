/* fields-cloudtrail: the field table of source `aws_cloudtrail` — the Falco cloudtrail plugin's
 * ct.*, s3.*, ec2.*, ecr.*, iam.* fields and the json plugin's json.value[/pointer].
 *
 * Follows ../shared/reference/falco.md §b "CloudTrail plugin" (plugins/cloudtrail README). The
 * caller's address, user agent, identity ARN and error code are typed columns; json.value[...]
 * reads the stored raw record itself, so it answers any pointer a rule names.
 */
#include "fields.h"

#define COLF(name, type, col, desc) { name, type, 0, desc, fx_col, COL_##col }
#define FLD(name, type, flags, desc) { name, type, flags, desc, NULL, 0 }

/*
 * ct.request.* / ct.response.*: one member of requestParameters / responseElements, as the
 * plugin defines them. The importer's own value in `fields` wins; else the raw record answers
 * (the same JSON pointer json.value would follow).
 */
static const char *const ct_members[] = {
	"/requestParameters/availabilityZone", "/requestParameters/bucketName", "/requestParameters/cluster",
	"/requestParameters/functionName",     "/requestParameters/groupName",  "/requestParameters/Host",
	"/requestParameters/name",	       "/requestParameters/policy",	"/requestParameters/reason",
	"/requestParameters/target",	       "/requestParameters/documentName", "/requestParameters/serialNumber",
	"/requestParameters/serviceName",      "/requestParameters/subnetId",	"/requestParameters/taskDefinition",
	"/requestParameters/userName",	       "/responseElements/subnetId",	"/responseElements/reservationId",
};

static int fx_ct_member(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	struct field_bind raw = *b;

	if (fx_fields(ev, b, out, sc))
		return 1;
	out->kind = V_NONE;
	raw.arg = ct_members[b->def->param];
	return fx_json_pointer_raw(ev, &raw, out, sc);
}

#define MEMBER(name, idx, desc) { name, FT_STR, 0, desc, fx_ct_member, idx }

const struct field_def fields_cloudtrail[] = {
	FLD("ct.id", FT_STR, 0, "the event's eventID"),
	FLD("ct.time", FT_STR, 0, "the event's eventTime"),
	FLD("ct.src", FT_STR, 0, "eventSource: the AWS service called, e.g. s3.amazonaws.com"),
	FLD("ct.shortsrc", FT_STR, 0, "eventSource without .amazonaws.com, e.g. s3"),
	{ "ct.name", FT_STR, 0, "eventName: the API call, e.g. PutBucketPolicy (events.type)", fx_evt_type, 0 },
	FLD("ct.user", FT_STR, 0,
	    "the acting user: userName (Root, IAMUser), invokedBy (AWSService), sessionIssuer.userName (AssumedRole)"),
	FLD("ct.originaluser", FT_STR, 0, "the original user of an assumed role session"),
	FLD("ct.user.accountid", FT_STR, 0, "userIdentity.accountId"),
	FLD("ct.user.identitytype", FT_STR, 0, "userIdentity.type: Root, IAMUser, AssumedRole, AWSService ..."),
	FLD("ct.user.principalid", FT_STR, 0, "userIdentity.principalId"),
	COLF("ct.user.arn", FT_STR, principal, "userIdentity.arn (events.principal)"),
	FLD("ct.region", FT_STR, 0, "awsRegion: the region the call went to"),
	COLF("ct.srcip", FT_STR, src_ip, "sourceIPAddress: the caller's address (events.src_ip)"),
	COLF("ct.useragent", FT_STR, user_agent, "userAgent of the caller (events.user_agent)"),
	FLD("ct.error", FT_STR, 0, "errorCode; absent when the call succeeded (events.result holds \"success\" then)"),
	FLD("ct.errormessage", FT_STR, 0, "errorMessage; absent when the call succeeded"),
	FLD("ct.info", FT_STR, 0, "a one-line summary of the event"),
	FLD("ct.managementevent", FT_STR, 0, "managementEvent: true or false"),
	FLD("ct.readonly", FT_STR, 0, "readOnly: true or false"),
	FLD("ct.requestid", FT_STR, 0, "requestID of the call"),
	FLD("ct.eventtype", FT_STR, 0, "eventType: AwsApiCall, AwsConsoleSignIn, AwsServiceEvent ..."),
	FLD("ct.apiversion", FT_STR, 0, "apiVersion of the API called"),
	FLD("ct.resources", FT_STR, 0, "resources, as JSON"),
	FLD("ct.recipientaccountid", FT_STR, 0, "recipientAccountId"),
	FLD("ct.serviceeventdetails", FT_STR, 0, "serviceEventDetails, as JSON"),
	FLD("ct.sharedeventid", FT_STR, 0, "sharedEventID"),
	FLD("ct.vpcendpointid", FT_STR, 0, "vpcEndpointId"),
	FLD("ct.eventcategory", FT_STR, 0, "eventCategory: Management, Data, Insight"),
	FLD("ct.sessioncredentialfromconsole", FT_STR, 0, "sessionCredentialFromConsole"),
	FLD("ct.additionaleventdata", FT_STR, 0, "additionalEventData, as JSON"),
	FLD("ct.request", FT_STR, 0, "requestParameters, as JSON"),
	FLD("ct.response", FT_STR, 0, "responseElements, as JSON"),
	MEMBER("ct.request.availabilityzone", 0, "requestParameters.availabilityZone"),
	MEMBER("ct.request.bucketname", 1, "requestParameters.bucketName"),
	MEMBER("ct.request.cluster", 2, "requestParameters.cluster"),
	MEMBER("ct.request.functionname", 3, "requestParameters.functionName"),
	MEMBER("ct.request.groupname", 4, "requestParameters.groupName"),
	MEMBER("ct.request.host", 5, "requestParameters.Host"),
	MEMBER("ct.request.name", 6, "requestParameters.name"),
	MEMBER("ct.request.policy", 7, "requestParameters.policy"),
	MEMBER("ct.request.reason", 8, "requestParameters.reason"),
	MEMBER("ct.request.target", 9, "requestParameters.target"),
	MEMBER("ct.request.documentname", 10, "requestParameters.documentName"),
	MEMBER("ct.request.serialnumber", 11, "requestParameters.serialNumber"),
	MEMBER("ct.request.servicename", 12, "requestParameters.serviceName"),
	MEMBER("ct.request.subnetid", 13, "requestParameters.subnetId"),
	MEMBER("ct.request.taskdefinition", 14, "requestParameters.taskDefinition"),
	MEMBER("ct.request.username", 15, "requestParameters.userName"),
	MEMBER("ct.response.subnetid", 16, "responseElements.subnetId"),
	MEMBER("ct.response.reservationid", 17, "responseElements.reservationId"),
	FLD("s3.uri", FT_STR, 0, "the S3 object URI: s3://bucket/key"),
	FLD("s3.bucket", FT_STR, 0, "requestParameters.bucketName of an S3 call"),
	FLD("s3.key", FT_STR, 0, "requestParameters.key of an S3 call"),
	FLD("s3.bytes", FT_INT, 0, "bytes transferred in and out by an S3 call"),
	FLD("s3.bytes.in", FT_INT, 0, "bytes received by S3"),
	FLD("s3.bytes.out", FT_INT, 0, "bytes sent by S3"),
	FLD("s3.cnt.get", FT_INT, 0, "1 for a GetObject call"),
	FLD("s3.cnt.put", FT_INT, 0, "1 for a PutObject call"),
	FLD("s3.cnt.other", FT_INT, 0, "1 for another S3 call"),
	FLD("ec2.name", FT_STR, 0, "name of the EC2 instance"),
	FLD("ec2.imageid", FT_STR, 0, "requestParameters.instancesSet.items[0].imageId"),
	FLD("ecr.repository", FT_STR, 0, "ECR repository name"),
	FLD("ecr.imagetag", FT_STR, 0, "ECR image tag"),
	FLD("iam.role", FT_STR, 0, "IAM role name of the call"),
	FLD("iam.policy", FT_STR, 0, "IAM policy name of the call"),
	{ "json.value", FT_STR, FF_ARG_KEY | FF_ARG_REQUIRED,
	  "a value of the raw CloudTrail record by JSON pointer: json.value[/requestParameters/bucketName]",
	  fx_json_pointer_raw, 0 },
	{ "json.rawvalue", FT_STR, FF_ARG_KEY | FF_ARG_REQUIRED, "as json.value, unformatted", fx_json_pointer_raw, 0 },
};
const size_t fields_cloudtrail_count = sizeof(fields_cloudtrail) / sizeof(fields_cloudtrail[0]);
