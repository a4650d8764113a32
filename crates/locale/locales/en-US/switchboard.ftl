# Switchboard platform messages, en-US. Every id in switchboard_model::MessageId has an entry.

## XML reading
xml-malformed = malformed XML: { $detail }
xml-too-deep = elements are nested more than { $max } levels deep
xml-doctype = document type declarations (DOCTYPE) are not allowed in solution files
xml-not-utf8 = the file is not UTF-8 encoded
xml-unexpected-root = expected root element <{ $expected }>, found <{ $found }>
xml-missing-element = required element <{ $element }> is missing
xml-missing-attribute = required attribute { $attribute } is missing on <{ $element }>
xml-not-integer = <{ $element }> must be a whole number, found "{ $value }"
xml-not-boolean = <{ $element }> must be 0 or 1, found "{ $value }"
xml-not-guid = expected a GUID, found "{ $value }"
xml-unknown-option = <{ $element }> value { $value } is not defined; expected one of { $codes }
xml-unknown-type-code = unknown type code { $value }; expected a Dataverse type code from 0 (Boolean) to { $max } (Guid)
xml-bad-plugin-reference = <plugintypeid> must contain <plugintypeid> or <plugintypeexportkey>, found <{ $found }>
xml-bad-export-key = plug-in type export key "{ $value }" is neither a GUID nor 64 hexadecimal digits
xml-bad-language-code = language code "{ $value }" is not a valid LCID
xml-folder-name-mismatch = folder "{ $folder }" holds custom API "{ $name }"; the folder should be named after the unique name
xml-duplicate-api = custom API "{ $name }" is defined twice (first at { $first })

## Packages
package-not-found = cannot open { $path }: { $detail }
package-unreadable = cannot read { $path }: { $detail }
package-no-solution-xml = no Other/Solution.xml or solution.xml here; is this a solution folder or zip?
package-bad-zip = { $path } is not a usable solution zip: { $detail }
package-assembly-missing = plug-in assembly { $assembly } names { $file }, which is not in the package; its types are recorded without a binary
package-foreign-assembly = plug-in assembly { $assembly } is not WebAssembly; it is recorded but its plug-ins cannot run here
package-step-unknown-table = step "{ $step }" is registered on table "{ $table }", which no solution declares; stored anyway
package-bad-version = "{ $value }" is not a solution version (expected numbers such as 1.0.0.0)
package-missing-prefix = the publisher has no customization prefix

## Tables
table-column-unsupported = column "{ $column }" of table "{ $table }" has the type { $kind }, which Switchboard does not support; the column is skipped
table-skipped = table "{ $table }" is a system table that Switchboard manages itself or does not provide; its definition in the solution is skipped
table-duplicate = "{ $name }" is defined more than once (first at { $first })
table-choice-empty = choice column "{ $column }" has no options
table-choice-duplicate = option set "{ $name }" lists the value { $value } more than once
table-option-set-unknown = column "{ $column }" uses the global option set "{ $name }", which the solution does not define
table-value-out-of-range = <{ $element }> of column "{ $column }" is { $value }; allowed are { $min } to { $max }
table-lookup-no-target = lookup column "{ $column }" of table "{ $table }" names no target table: <LookupTypes> is empty and no relationship refers to the column
table-no-primary-name = table "{ $table }" has no primary name column (an attribute whose <DisplayMask> contains PrimaryName)

## Custom API rules
api-unique-name-empty = the unique name is empty
api-unique-name-too-long = unique name "{ $name }" is { $length } characters long; at most { $max } are allowed
api-unique-name-characters = unique name "{ $name }" may contain only letters, digits and underscores, and must not start with a digit
api-unique-name-no-prefix = unique name "{ $name }" does not start with the publisher prefix "{ $prefix }_"
api-text-too-long = { $column } is { $length } characters long; at most { $max } are allowed
api-binding-needs-table = binding type { $code } ({ $binding }) requires <boundentitylogicalname>
api-global-has-table = a Global (unbound) custom API must not name a bound table, found "{ $table }"
api-function-without-response = function "{ $name }" has no response property; it is stored but cannot be called or published until it has one
api-workflow-function = an API enabled for workflow (workflowsdkstepenabled = 1) cannot be a function
api-workflow-type = an API enabled for workflow cannot use type { $type }
api-workflow-entity-reference = an API enabled for workflow can use EntityReference only when it is bound to a table (binding type 1)
api-entity-name-not-allowed = logicalentityname is not allowed on type { $type }
api-response-optional = response properties have no isoptional column; remove <isoptional>
api-duplicate-parameter = request parameter "{ $name }" is defined more than once
api-duplicate-property = response property "{ $name }" is defined more than once
api-target-reserved = "Target" is the implicit parameter of a table-bound API and cannot be declared
api-name-missing = no <name> for "{ $name }"; using the unique name
api-plugin-type-unresolved = custom API "{ $name }" refers to plug-in type { $reference }, which no imported assembly provides; it runs without a main operation until one is imported

## Steps
step-stage-invalid = stage { $stage } is not allowed for a registered step; use 10, 20 or 40
step-async-not-post-operation = asynchronous steps run only at post-operation (stage 40), not at stage { $stage }
step-no-message = the step names no message (SdkMessageId or SdkMessageName)
step-no-plugin-type = the step names no plug-in type (PluginTypeName, PluginTypeId or PluginTypeExportKey)
step-name-invalid = a step needs a name of 1 to 256 characters (this one has { $length })
step-unknown-message = the message "{ $message }" does not exist: name a custom API (by unique name or its sdkmessageid) or a built-in message (Create, Update, Delete, Retrieve, RetrieveMultiple, …)
step-unknown-plugin-type = the plug-in type "{ $reference }" does not exist: no stored plug-in type has this id, name or export key (import the assembly that provides it first)
step-plugin-type-in-package = step "{ $step }" runs plug-in type { $reference } of a plug-in package; package types live inside the .nupkg and are not run here
step-custom-api-no-steps = Custom SdkMessageProcessingStep is not allowed on the specified message. The custom API "{ $api }" does not allow custom processing steps (AllowedCustomProcessingStepType = 0, None).
step-custom-api-async-only = Custom SdkMessageProcessingStep is not allowed on the specified message. The custom API "{ $api }" allows only asynchronous post-operation steps (AllowedCustomProcessingStepType = 1, Async Only); this step is synchronous at stage { $stage }.
step-not-found = no processing step has the id { $id }
step-exists = a processing step with the id { $id } exists already
step-managed = step "{ $name }" belongs to the managed solution "{ $solution }" and cannot be deleted; upgrade or uninstall that solution instead
step-admin-required = Only a System Administrator can register, change or delete processing steps; user { $user } is not one.
cli-step-added = registered step "{ $name }" ({ $id })
cli-step-enabled = step { $id } enabled
cli-step-disabled = step { $id } disabled
cli-step-deleted = step { $id } deleted
cli-step-list-empty = no processing steps are registered yet; add one with `switchboard step add`
step-image-message = the image "{ $alias }" asks for a { $kind } of the { $message } message, which has none: Create gives only a post-image, Update a pre- and a post-image, Delete only a pre-image, and other messages no image
step-image-stage = the image "{ $alias }" is a post-image, which exists only for post-operation (stage 40) steps; this step runs at stage { $stage }
step-image-alias = the step image "{ $name }" has no entity alias; plug-ins read an image by its alias
step-image-not-found = no step image has the id { $id }
cli-step-image-added = registered image "{ $alias }" on step { $step } ({ $id })
cli-step-image-deleted = step image { $id } deleted

## Import
import-immutable-changed = { $component } "{ $name }": { $column } cannot be changed after it is created (stored { $stored }, package has { $incoming }); delete and recreate it instead
import-managed-over-unmanaged = solution "{ $solution }" is installed as unmanaged; a managed package of the same solution cannot be imported over it. Delete the unmanaged solution first.
import-unmanaged-over-managed = solution "{ $solution }" is installed as managed; an unmanaged package of the same solution cannot be imported over it. Uninstall the managed solution first.
import-older-version = solution "{ $solution }" version { $incoming } is older than the installed { $stored }; a managed solution cannot be downgraded
import-same-version = solution "{ $solution }" version { $version } is already installed; its components are updated in place
import-api-owned-elsewhere = custom API "{ $name }" belongs to solution "{ $owner }"; solution "{ $solution }" cannot redefine it
import-database = the database refused the import: { $detail }
import-table-conflict = table "{ $table }" cannot be changed that way: { $detail }
import-failed = { $path } was not imported
import-summary = { $solution } { $version } ({ $managed }): { $created } created, { $updated } updated, { $warnings } warnings
import-created = created { $component }
import-updated = updated { $component }
import-deleted = removed { $component } (no longer in the managed solution)
import-removed = custom API "{ $name }" is no longer in managed solution "{ $solution }" and was removed

## OData Web API
odata-resource-not-found = Resource not found for the segment '{ $segment }'.
odata-no-http-resource = No HTTP resource was found that matches the request URI '{ $uri }'.
odata-unresolved-bound = Request message has unresolved parameters. '{ $name }' is bound; call it as '{ $qualified }'.
odata-url-too-long = The request URL is { $length } characters long; at most { $max } are allowed. Call an action with a body for large parameters.
odata-malformed-json = The request body is not valid JSON: { $detail }
odata-body-not-object = The request body must be a JSON object whose members are the operation's parameters.
odata-invalid-value = Cannot convert the value of parameter '{ $name }' to { $expected }: { $detail }
odata-missing-parameter = Required parameter '{ $name }' of operation '{ $api }' is missing.
odata-unknown-parameter = The parameter '{ $name }' in the request payload is not a valid parameter for the operation '{ $api }'.
odata-bad-literal = '{ $literal }' is not a valid { $expected } literal.
odata-unknown-alias = The parameter alias '{ $alias }' is not given in the query string.
odata-bad-key = '{ $key }' is not a valid key; expected a GUID.
odata-binding-parameter = '{ $name }' is the record '{ $api }' is bound to; it comes from the URL, not from a parameter.
odata-duplicate-parameter = Parameter '{ $name }' is given more than once.
odata-method-not-allowed = The HTTP method { $method } is not supported for '{ $uri }'.
odata-payload-too-large = The request body is larger than { $max } bytes.
odata-unsupported-media-type = The request body must be application/json, not '{ $type }'.
odata-bad-query-option = The query option { $option } is not valid here: { $detail }
odata-syntax = Syntax error in '{ $text }': { $detail }
auth-no-token = This request needs an access token: send Authorization: Bearer <token> (switchboard token create --user NAME makes one).
auth-bad-token = The access token is not valid: it is unknown, revoked or expired, or its user is disabled.
auth-missing-privilege = Principal user (Id={ $user }, type=8, roleCount={ $roles }, privilegeCount={ $privileges }) is missing { $privilege } privilege (Id={ $privilegeid }) on OTC=0 for entity '{ $api }'.
auth-impersonation-refused = User { $user } cannot act on behalf of another user: the prvActOnBehalfOfAnotherUser privilege is missing.
auth-admin-required = Only a System Administrator can create { $table } records; user { $user } is not one.
auth-admin-required-change = Only a System Administrator can change { $table } records; user { $user } is not one.
organization-trace-setting-invalid = plugintracelogsetting must be 0 (Off), 1 (Exception) or 2 (All), not { $value }.
cli-organization-show = Organization { $name }: plugintracelogsetting { $code } ({ $label })
auth-rate-limited = Number of requests exceeded the limit of { $limit } over time window of { $window } seconds.
auth-unknown-user = No enabled user has the id { $id } given in MSCRMCallerID.
cli-user-added = created user { $name } ({ $id })
cli-role-added = created role { $name } ({ $id })
cli-security-done = done
cli-security-failed = { $detail }
labels-not-localizable = { $attribute } of { $table } is not a localizable attribute.
labels-bad-moniker = The EntityMoniker { $value } does not name a record (give @odata.type and its id, or @odata.id).
labels-unknown-language = Language code { $code } is not a language this organization offers.
odata-duplicate-record = A record with matching key values already exists ({ $name }).
odata-record-not-found = { $table } With Id = { $id } Does Not Exist
odata-unknown-property = Could not find a property named '{ $name }' on type '{ $type }'.
odata-headers-too-large = The request headers are { $size } bytes long; at most { $max } are allowed.
odata-request-timeout = The request did not complete within { $seconds } seconds.
odata-internal = An unexpected error occurred (correlation id { $id }).
background-not-found = No background operation with id { $id } exists.
background-terminal = Canceling background operation is not allowed after it is in terminal state.
background-bad-callback = The callback URL { $url } is not an absolute http or https URL.
background-bad-prefer = The Prefer header asks for a callback ({ $preference }) without respond-async.
background-canceled = Background operation { $id } was canceled.
background-only-cancel = A background operation can only be canceled: send backgroundoperationstatecode 2 and backgroundoperationstatuscode 22.

## Plug-ins
plugin-business = { $message }
pipeline-infinite-loop = This workflow job was canceled because the workflow that started it included an infinite loop: executing { $message } would exceed the maximum depth of { $depth }.
plugin-timeout = Plug-in { $type } did not finish within its { $ms } ms deadline and was stopped.
plugin-memory-cap = Plug-in { $type } tried to use more than its memory cap of { $mib } MiB and was stopped.
plugin-panicked = Plug-in { $type } panicked: { $message }
plugin-trapped = Plug-in { $type } failed: { $detail }
plugin-internal = Plug-in { $type } reported an internal error: { $detail }
plugin-bad-value = Plug-in { $type } sent a value that cannot be read: { $detail }
plugin-load-failed = Plug-in assembly { $assembly } cannot be loaded: { $detail }
plugin-type-missing = Plug-in assembly { $assembly } does not export plug-in type { $type }.
plugin-unknown-output = Plug-in { $type } set output '{ $name }', which '{ $api }' does not declare.
plugin-wrong-output-type = Plug-in { $type } set output '{ $name }' to a { $found } value; '{ $api }' declares { $expected }.
plugin-not-runnable = Custom API '{ $api }' refers to plug-in type { $reference }, which cannot run here ({ $reason }); it returns default values.
plugin-build-failed = Building the plug-in in { $path } failed: { $detail }
plugin-built = built { $path }
plugin-scaffolded = created plug-in crate { $path }; build it with: switchboard plugin build { $path }

## Command line
cli-database-open = cannot open database { $url }: { $detail }
cli-database-missing = there is no database at { $path }: import a solution into it first (`switchboard import`), or pass `serve --create` to start with an empty one
cli-error = error
cli-warning = warning
cli-list-empty = no custom APIs are stored yet; import a solution with `switchboard import PATH`
cli-serving = Switchboard is listening on { $url }
cli-demo-ready = demo database { $path } holds { $apis } custom APIs from { $solutions } solutions
cli-demo-no-solutions = no solution folders or zips found in { $path }
cli-bind-failed = cannot listen on { $addr }: { $detail }
cli-demo-token = administrator token: { $token }
cli-demo-try = try: { $command }
cli-import-nothing-written = nothing was imported; the database is unchanged
cli-demo-certificate = serving HTTPS with a self-signed development certificate for 127.0.0.1 and localhost: { $path }
cli-demo-trust = clients must trust it: curl --cacert { $path }, REQUESTS_CA_BUNDLE={ $path } for Python, NODE_EXTRA_CA_CERTS={ $path } for Node.js

## HTTPS
tls-unreadable = cannot read { $path }: { $detail }
tls-no-certificate = { $path } holds no PEM certificate
tls-no-private-key = { $path } holds no PEM private key
tls-rejected = { $path } cannot be used for HTTPS: { $detail }
tls-dev-certificate-failed = cannot create a development certificate in { $path }: { $detail }

## Logic Apps and Power Automate connectors
connector-unknown-solution = No solution named "{ $name }" is installed.
connector-respond-async-unknown = respond-async names "{ $name }", which is not a public action of solution { $solution }.
connector-bad-base-url = "{ $url }" is not a base URL: give http:// or https:// and a host name with an optional port, such as https://switchboard.example.com.
connector-too-large = The connector definition is { $bytes } bytes long; Power Platform imports definitions under { $max } bytes. Export fewer custom APIs.
connector-written = wrote { $path }
connector-info-description = The custom APIs of the { $solution } solution, called through a Switchboard server.
connector-operation-description = Calls the custom API { $name }.
connector-body-summary = Parameters
connector-body-description = The request parameters of { $name }.
connector-record-id-summary = { $table } ID
connector-record-id-description = The ID (a GUID) of the { $table } row that { $name } runs on.
connector-prefer-summary = Respond asynchronously
connector-prefer-description = Asks the server to run the call in the background: it answers 202 Accepted with a Location to poll for the result.
connector-response-ok = The response properties of { $name }.
connector-response-no-content = { $name } ran; it returns nothing.
connector-response-accepted = Accepted: the call runs in the background; poll the URL in the Location header for its result.
connector-response-location = The URL to poll for the result.
connector-response-error = The call failed: Dataverse's error code and message.
connector-error-code = Error code
connector-error-message = Error message
connector-literal-string = Write it as an OData literal: text in single quotes, such as 'Contoso', with each quote inside doubled ('O''Neil').
connector-literal-boolean = Write it as an OData literal: true or false.
connector-literal-number = Write it as an OData literal: a number such as 12.5.
connector-literal-whole-number = Write it as an OData literal: a whole number such as 42.
connector-literal-date-time = Write it as an OData literal: a date and time without quotes, such as 2024-05-31T08:00:00Z.
connector-literal-guid = Write it as an OData literal: a GUID without quotes, such as { $example }.
connector-literal-json = Write it as an OData literal: JSON, such as { $example }.
connector-token-name = Access token
connector-token-description = A Switchboard access token, written as "Bearer " followed by the token (switchboard token create --user NAME makes one).
connector-token-tooltip = Bearer followed by your access token
connector-sign-in = Sign in with the identity provider that issues Switchboard's tokens
