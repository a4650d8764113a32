//! User-visible messages as ids plus arguments; `switchboard-locale` renders them.
//!
//! Nothing in the core crates builds English sentences: they return a [`Message`], and the
//! edge (CLI, HTTP) renders it in the reader's language. Every id here must have a
//! translation in every shipped locale (a test in `switchboard-locale` checks it).

use std::fmt;

/// Declares the message ids with their fluent identifiers.
macro_rules! message_ids {
    ($($variant:ident => $id:literal),+ $(,)?) => {
        /// The id of a user-visible message (a fluent message identifier).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MessageId {
            $(#[doc = $id] $variant),+
        }

        impl MessageId {
            /// Every message id.
            pub const ALL: &'static [MessageId] = &[$(MessageId::$variant),+];

            /// The fluent identifier.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(MessageId::$variant => $id),+
                }
            }
        }
    };
}

message_ids! {
    // XML reading
    XmlMalformed => "xml-malformed",
    XmlTooDeep => "xml-too-deep",
    XmlDoctype => "xml-doctype",
    XmlNotUtf8 => "xml-not-utf8",
    XmlUnexpectedRoot => "xml-unexpected-root",
    XmlMissingElement => "xml-missing-element",
    XmlMissingAttribute => "xml-missing-attribute",
    XmlNotInteger => "xml-not-integer",
    XmlNotBoolean => "xml-not-boolean",
    XmlNotGuid => "xml-not-guid",
    XmlUnknownOption => "xml-unknown-option",
    XmlUnknownTypeCode => "xml-unknown-type-code",
    XmlBadPluginReference => "xml-bad-plugin-reference",
    XmlBadExportKey => "xml-bad-export-key",
    XmlBadLanguageCode => "xml-bad-language-code",
    XmlFolderNameMismatch => "xml-folder-name-mismatch",
    XmlDuplicateApi => "xml-duplicate-api",
    // Packages
    PackageNotFound => "package-not-found",
    PackageUnreadable => "package-unreadable",
    PackageNoSolutionXml => "package-no-solution-xml",
    PackageBadZip => "package-bad-zip",
    PackageAssemblyMissing => "package-assembly-missing",
    PackageForeignAssembly => "package-foreign-assembly",
    PackageStepUnknownTable => "package-step-unknown-table",
    PackageBadVersion => "package-bad-version",
    PackageMissingPrefix => "package-missing-prefix",
    // Tables
    TableColumnUnsupported => "table-column-unsupported",
    TableSkipped => "table-skipped",
    TableDuplicate => "table-duplicate",
    TableChoiceEmpty => "table-choice-empty",
    TableChoiceDuplicate => "table-choice-duplicate",
    TableOptionSetUnknown => "table-option-set-unknown",
    TableValueOutOfRange => "table-value-out-of-range",
    TableLookupNoTarget => "table-lookup-no-target",
    TableNoPrimaryName => "table-no-primary-name",
    // Custom API rules
    ApiUniqueNameEmpty => "api-unique-name-empty",
    ApiUniqueNameTooLong => "api-unique-name-too-long",
    ApiUniqueNameCharacters => "api-unique-name-characters",
    ApiUniqueNameNoPrefix => "api-unique-name-no-prefix",
    ApiTextTooLong => "api-text-too-long",
    ApiBindingNeedsTable => "api-binding-needs-table",
    ApiGlobalHasTable => "api-global-has-table",
    ApiFunctionWithoutResponse => "api-function-without-response",
    ApiWorkflowFunction => "api-workflow-function",
    ApiWorkflowType => "api-workflow-type",
    ApiWorkflowEntityReference => "api-workflow-entity-reference",
    ApiEntityNameNotAllowed => "api-entity-name-not-allowed",
    ApiResponseOptional => "api-response-optional",
    ApiDuplicateParameter => "api-duplicate-parameter",
    ApiDuplicateProperty => "api-duplicate-property",
    ApiTargetReserved => "api-target-reserved",
    ApiNameMissing => "api-name-missing",
    ApiPluginTypeUnresolved => "api-plugin-type-unresolved",
    // Steps
    StepStageInvalid => "step-stage-invalid",
    StepAsyncNotPostOperation => "step-async-not-post-operation",
    StepNoMessage => "step-no-message",
    StepNoPluginType => "step-no-plugin-type",
    StepNameInvalid => "step-name-invalid",
    StepUnknownMessage => "step-unknown-message",
    StepUnknownPluginType => "step-unknown-plugin-type",
    StepPluginTypeInPackage => "step-plugin-type-in-package",
    StepCustomApiNoSteps => "step-custom-api-no-steps",
    StepCustomApiAsyncOnly => "step-custom-api-async-only",
    StepNotFound => "step-not-found",
    StepExists => "step-exists",
    StepManaged => "step-managed",
    StepAdminRequired => "step-admin-required",
    StepImageMessage => "step-image-message",
    StepImageStage => "step-image-stage",
    StepImageAlias => "step-image-alias",
    StepImageNotFound => "step-image-not-found",
    CliStepImageAdded => "cli-step-image-added",
    CliStepImageDeleted => "cli-step-image-deleted",
    CliStepAdded => "cli-step-added",
    CliStepEnabled => "cli-step-enabled",
    CliStepDisabled => "cli-step-disabled",
    CliStepDeleted => "cli-step-deleted",
    CliStepListEmpty => "cli-step-list-empty",
    // Store / import
    ImportImmutableChanged => "import-immutable-changed",
    ImportManagedOverUnmanaged => "import-managed-over-unmanaged",
    ImportUnmanagedOverManaged => "import-unmanaged-over-managed",
    ImportOlderVersion => "import-older-version",
    ImportSameVersion => "import-same-version",
    ImportApiOwnedElsewhere => "import-api-owned-elsewhere",
    ImportDatabase => "import-database",
    ImportTableConflict => "import-table-conflict",
    ImportFailed => "import-failed",
    ImportSummary => "import-summary",
    ImportRemoved => "import-removed",
    ImportCreated => "import-created",
    ImportUpdated => "import-updated",
    ImportDeleted => "import-deleted",
    // OData
    ODataResourceNotFound => "odata-resource-not-found",
    ODataNoHttpResource => "odata-no-http-resource",
    ODataUnresolvedBound => "odata-unresolved-bound",
    ODataUrlTooLong => "odata-url-too-long",
    ODataMalformedJson => "odata-malformed-json",
    ODataBodyNotObject => "odata-body-not-object",
    ODataInvalidValue => "odata-invalid-value",
    ODataMissingParameter => "odata-missing-parameter",
    ODataUnknownParameter => "odata-unknown-parameter",
    ODataBadLiteral => "odata-bad-literal",
    ODataUnknownAlias => "odata-unknown-alias",
    ODataBadKey => "odata-bad-key",
    ODataBindingParameter => "odata-binding-parameter",
    ODataDuplicateParameter => "odata-duplicate-parameter",
    ODataMethodNotAllowed => "odata-method-not-allowed",
    ODataPayloadTooLarge => "odata-payload-too-large",
    ODataUnsupportedMediaType => "odata-unsupported-media-type",
    ODataBadQueryOption => "odata-bad-query-option",
    ODataSyntax => "odata-syntax",
    ODataInternal => "odata-internal",
    ODataRequestTimeout => "odata-request-timeout",
    ODataHeadersTooLarge => "odata-headers-too-large",
    ODataRecordNotFound => "odata-record-not-found",
    ODataDuplicateRecord => "odata-duplicate-record",
    BackgroundNotFound => "background-not-found",
    BackgroundTerminal => "background-terminal",
    BackgroundBadCallback => "background-bad-callback",
    BackgroundBadPrefer => "background-bad-prefer",
    BackgroundCanceled => "background-canceled",
    BackgroundOnlyCancel => "background-only-cancel",
    LabelsNotLocalizable => "labels-not-localizable",
    LabelsBadMoniker => "labels-bad-moniker",
    LabelsUnknownLanguage => "labels-unknown-language",
    AuthNoToken => "auth-no-token",
    AuthBadToken => "auth-bad-token",
    AuthMissingPrivilege => "auth-missing-privilege",
    AuthImpersonationRefused => "auth-impersonation-refused",
    AuthUnknownUser => "auth-unknown-user",
    AuthRateLimited => "auth-rate-limited",
    AuthAdminRequired => "auth-admin-required",
    AuthAdminRequiredChange => "auth-admin-required-change",
    OrganizationTraceSettingInvalid => "organization-trace-setting-invalid",
    CliOrganizationShow => "cli-organization-show",
    CliUserAdded => "cli-user-added",
    CliRoleAdded => "cli-role-added",
    CliSecurityDone => "cli-security-done",
    CliSecurityFailed => "cli-security-failed",
    ODataUnknownProperty => "odata-unknown-property",
    // Plug-ins
    PluginBusiness => "plugin-business",
    PipelineInfiniteLoop => "pipeline-infinite-loop",
    PluginTimeout => "plugin-timeout",
    PluginMemoryCap => "plugin-memory-cap",
    PluginPanicked => "plugin-panicked",
    PluginTrapped => "plugin-trapped",
    PluginInternal => "plugin-internal",
    PluginBadValue => "plugin-bad-value",
    PluginLoadFailed => "plugin-load-failed",
    PluginTypeMissing => "plugin-type-missing",
    PluginUnknownOutput => "plugin-unknown-output",
    PluginWrongOutputType => "plugin-wrong-output-type",
    PluginNotRunnable => "plugin-not-runnable",
    PluginBuildFailed => "plugin-build-failed",
    PluginBuilt => "plugin-built",
    PluginScaffolded => "plugin-scaffolded",
    // CLI
    CliDatabaseOpen => "cli-database-open",
    CliDatabaseMissing => "cli-database-missing",
    CliError => "cli-error",
    CliWarning => "cli-warning",
    CliListEmpty => "cli-list-empty",
    CliServing => "cli-serving",
    CliDemoReady => "cli-demo-ready",
    CliDemoNoSolutions => "cli-demo-no-solutions",
    CliBindFailed => "cli-bind-failed",
    CliDemoTry => "cli-demo-try",
    CliDemoToken => "cli-demo-token",
    CliImportNothingWritten => "cli-import-nothing-written",
    CliDemoCertificate => "cli-demo-certificate",
    CliDemoTrust => "cli-demo-trust",
    // HTTPS
    TlsUnreadable => "tls-unreadable",
    TlsNoCertificate => "tls-no-certificate",
    TlsNoPrivateKey => "tls-no-private-key",
    TlsRejected => "tls-rejected",
    TlsDevCertificateFailed => "tls-dev-certificate-failed",
    // Logic Apps / Power Automate connectors
    ConnectorUnknownSolution => "connector-unknown-solution",
    ConnectorRespondAsyncUnknown => "connector-respond-async-unknown",
    ConnectorBadBaseUrl => "connector-bad-base-url",
    ConnectorTooLarge => "connector-too-large",
    ConnectorWritten => "connector-written",
    ConnectorInfoDescription => "connector-info-description",
    ConnectorOperationDescription => "connector-operation-description",
    ConnectorBodySummary => "connector-body-summary",
    ConnectorBodyDescription => "connector-body-description",
    ConnectorRecordIdSummary => "connector-record-id-summary",
    ConnectorRecordIdDescription => "connector-record-id-description",
    ConnectorPreferSummary => "connector-prefer-summary",
    ConnectorPreferDescription => "connector-prefer-description",
    ConnectorResponseOk => "connector-response-ok",
    ConnectorResponseNoContent => "connector-response-no-content",
    ConnectorResponseAccepted => "connector-response-accepted",
    ConnectorResponseLocation => "connector-response-location",
    ConnectorResponseError => "connector-response-error",
    ConnectorErrorCode => "connector-error-code",
    ConnectorErrorMessage => "connector-error-message",
    ConnectorLiteralString => "connector-literal-string",
    ConnectorLiteralBoolean => "connector-literal-boolean",
    ConnectorLiteralNumber => "connector-literal-number",
    ConnectorLiteralWholeNumber => "connector-literal-whole-number",
    ConnectorLiteralDateTime => "connector-literal-date-time",
    ConnectorLiteralGuid => "connector-literal-guid",
    ConnectorLiteralJson => "connector-literal-json",
    ConnectorTokenName => "connector-token-name",
    ConnectorTokenDescription => "connector-token-description",
    ConnectorTokenTooltip => "connector-token-tooltip",
    ConnectorSignIn => "connector-sign-in",
}

/// A message id with its named arguments, ready to be rendered in any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Which message.
    pub id: MessageId,
    /// Named arguments the translation refers to as `{ $name }`.
    pub args: Vec<(&'static str, String)>,
}

impl Message {
    /// A message without arguments.
    pub fn new(id: MessageId) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// Adds a named argument.
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The platform failed. The caller reads only the correlation id (`{ $id }`, a new one);
    /// `detail` rides along under [`Message::INTERNAL_DETAIL`] for the log, which no
    /// translation shows.
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self::new(MessageId::ODataInternal)
            .arg("id", uuid::Uuid::new_v4())
            .arg(Self::INTERNAL_DETAIL, detail)
    }

    /// The argument of an internal failure's message that holds what went wrong.
    pub const INTERNAL_DETAIL: &'static str = "detail";

    /// The value of a named argument, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Renders the id and arguments; used only where no localizer is at hand (logs, panics).
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id.as_str())?;
        for (name, value) in &self.args {
            write!(f, " {name}={value:?}")?;
        }
        Ok(())
    }
}
