//! The generic rule ids and their descriptors.
//!
//! Rule ids are forever (baselines and SARIF key on them). The descriptors are `Rule` values so
//! that reporters find a name, description, remediation and severity for each id, exactly as for
//! rule files. They are deliberately kept out of the `RuleSet` matcher and out of
//! `rules check`: their `pattern` only documents the value shape (the detector is code, not a
//! regex), so running it as a rule would report every `name=value` pair. Their `examples` and
//! `negative_examples` are checked against the generic detector itself by this module's tests.

use super::Syntax;
use super::names::Kind;
use crate::rules::{Confidence, Rule, Severity};

/// One generic rule id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GenericRule {
    Password,
    Secret,
    ApiKey,
    Token,
    PrivateKeyMaterial,
    BasicAuth,
    BearerToken,
    UrlCredentials,
    ConnectionStringPassword,
    CliPassword,
    SqlPassword,
    WeakDefaultPassword,
}

struct Meta {
    id: &'static str,
    name: &'static str,
    severity: Severity,
    long_lived: bool,
    confidence: Confidence,
    description: &'static str,
    example: &'static str,
    negative: &'static str,
}

const ROTATE: &str = "Treat the value as compromised: change it where it is used (database user, \
service account, API console), then move it out of the file into a secret manager or an \
environment variable injected at run time, and reference it from there. Removing the line does \
not help while the value stays valid: it remains in git history.";

/// Metadata of each rule, in the order of `GenericRule`'s variants.
const META: [Meta; 12] = [
    Meta {
        id: "generic-password",
        name: "Hard-coded password",
        severity: Severity::High,
        long_lived: true,
        confidence: Confidence::Medium,
        description: "A literal value assigned to a password-like name (`password`, `DB_PASSWORD`, `mysqlRootPassword`, `<password>`).",
        example: "DB_PASSWORD=Vq7xPz2kLm9",
        negative: "password_policy = \"Vq7xPz2kLm9\"",
    },
    Meta {
        id: "generic-secret",
        name: "Hard-coded secret",
        severity: Severity::High,
        long_lived: true,
        confidence: Confidence::Medium,
        description: "A literal value assigned to a secret-like name (`client_secret`, `SECRET_KEY`, `signing_key`, `credentials`).",
        example: "client_secret: \"d8Fq2LxP0vZk7RmT3sWy\"",
        negative: "secret_name: \"d8Fq2LxP0vZk7RmT3sWy\"",
    },
    Meta {
        id: "generic-api-key",
        name: "Hard-coded API key",
        severity: Severity::High,
        long_lived: true,
        confidence: Confidence::Medium,
        description: "A literal value assigned to an API-key-like name (`api_key`, `apiKey`, `X-Api-Key`, `access_key`).",
        example: "API_KEY=\"9fK2mQx7LpV3zR8tW1yB\"",
        negative: "api_key_id = \"9fK2mQx7LpV3zR8tW1yB\"",
    },
    Meta {
        id: "generic-token",
        name: "Hard-coded token",
        severity: Severity::Medium,
        long_lived: false,
        confidence: Confidence::Medium,
        description: "A literal value assigned to a token-like name (`auth_token`, `GITHUB_TOKEN`, `X-Auth-Token`).",
        example: "auth_token = \"Zm9x3LqP8vR2kT7wY4nB\"",
        negative: "max_tokens = 4096",
    },
    Meta {
        id: "generic-private-key-material",
        name: "Private key material",
        severity: Severity::High,
        long_lived: true,
        confidence: Confidence::Medium,
        description: "Key material assigned to a private-key-like name (`private_key`, `ssh_key`).",
        example: "private_key = \"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\"",
        negative: "private_key_path = \"/etc/keys/app.pem\"",
    },
    Meta {
        id: "generic-basic-auth",
        name: "HTTP Basic credentials",
        severity: Severity::High,
        long_lived: true,
        confidence: Confidence::High,
        description: "An `Authorization: Basic` header whose value decodes to `user:password`.",
        example: "Authorization: Basic YWRtaW46VnE3IXhQejJrTG05",
        negative: "Authorization: Basic $CREDENTIALS",
    },
    Meta {
        id: "generic-bearer-token",
        name: "HTTP Bearer token",
        severity: Severity::Medium,
        long_lived: false,
        confidence: Confidence::Medium,
        description: "A literal token in an `Authorization: Bearer` header.",
        example: "Authorization: Bearer 8f3kQz9LmW2xV7pR4tY6",
        negative: "Authorization: Bearer ${TOKEN}",
    },
    Meta {
        id: "generic-url-credentials",
        name: "Credentials in a URL",
        severity: Severity::High,
        long_lived: true,
        confidence: Confidence::High,
        description: "A password in the user-info part of a URL (`scheme://user:password@host`).",
        example: "DATABASE_URL=postgres://app:Vq7xPz2kLm9@db.internal:5432/app",
        negative: "https://github.com/org/repo",
    },
    Meta {
        id: "generic-connection-string-password",
        name: "Password in a connection string",
        severity: Severity::High,
        long_lived: true,
        confidence: Confidence::Medium,
        description: "A `Password=`/`Pwd=` pair in an ADO.NET, ODBC or JDBC-style connection string.",
        example: "Server=db;Database=app;User Id=app;Password=Vq7xPz2kLm9;",
        negative: "Server=db;Database=app;Integrated Security=true;",
    },
    Meta {
        id: "generic-cli-password",
        name: "Password on a command line",
        severity: Severity::High,
        long_lived: true,
        confidence: Confidence::Medium,
        description: "A password passed as a command-line argument (`--password=`, `mysql -p…`, `sshpass -p`, `curl -u user:pass`).",
        example: "mysql -u root -pVq7xPz2kLm9 app",
        negative: "mysql -u root -p app",
    },
    Meta {
        id: "generic-sql-password",
        name: "Password in SQL",
        severity: Severity::High,
        long_lived: true,
        confidence: Confidence::Medium,
        description: "A password in a SQL statement (`IDENTIFIED BY '…'`, `WITH PASSWORD '…'`).",
        example: "CREATE USER 'app'@'%' IDENTIFIED BY 'Vq7xPz2kLm9';",
        negative: "CREATE USER 'app'@'%' IDENTIFIED BY :pw;",
    },
    Meta {
        id: "generic-weak-default-password",
        name: "Well-known default password",
        severity: Severity::Low,
        long_lived: true,
        confidence: Confidence::Low,
        description: "A well-known default or famous password (`changeme`, `admin`, `P@ssw0rd`) assigned to a credential. Reported with low confidence: often a local development default, but a real and trivially guessed credential wherever it is deployed.",
        example: "MYSQL_ROOT_PASSWORD=changeme",
        negative: "MYSQL_ROOT_PASSWORD=${MYSQL_ROOT_PASSWORD}",
    },
];

impl GenericRule {
    pub const ALL: [GenericRule; 12] = [
        GenericRule::Password,
        GenericRule::Secret,
        GenericRule::ApiKey,
        GenericRule::Token,
        GenericRule::PrivateKeyMaterial,
        GenericRule::BasicAuth,
        GenericRule::BearerToken,
        GenericRule::UrlCredentials,
        GenericRule::ConnectionStringPassword,
        GenericRule::CliPassword,
        GenericRule::SqlPassword,
        GenericRule::WeakDefaultPassword,
    ];

    /// The rule for a candidate found through `syntax` under a name of `kind`.
    pub fn for_candidate(syntax: Syntax, kind: Kind) -> GenericRule {
        match syntax {
            Syntax::Url => GenericRule::UrlCredentials,
            Syntax::Basic => GenericRule::BasicAuth,
            Syntax::Bearer => GenericRule::BearerToken,
            Syntax::ConnString => GenericRule::ConnectionStringPassword,
            Syntax::Cli => GenericRule::CliPassword,
            Syntax::Sql => GenericRule::SqlPassword,
            Syntax::UserPass => GenericRule::Password,
            Syntax::Assign | Syntax::Compare | Syntax::Xml | Syntax::Call => match kind {
                Kind::Password => GenericRule::Password,
                Kind::Secret => GenericRule::Secret,
                Kind::ApiKey => GenericRule::ApiKey,
                Kind::Token => GenericRule::Token,
                Kind::PrivateKey => GenericRule::PrivateKeyMaterial,
            },
        }
    }

    pub fn id(self) -> &'static str {
        self.meta().id
    }

    pub fn name(self) -> &'static str {
        self.meta().name
    }

    pub fn severity(self) -> Severity {
        self.meta().severity
    }

    pub fn long_lived(self) -> bool {
        self.meta().long_lived
    }

    fn meta(self) -> &'static Meta {
        &META[self as usize]
    }

    /// The descriptor reporters use for this id.
    pub fn descriptor(self) -> Rule {
        let m = self.meta();
        Rule {
            id: m.id.to_string(),
            name: m.name.to_string(),
            provider: "generic".to_string(),
            category: "generic".to_string(),
            keywords: super::prefilter_keywords()
                .into_iter()
                .map(|(w, _)| w)
                .collect(),
            pattern: r#"(?P<secret>[^\s'"]{4,})"#.to_string(),
            min_entropy: None,
            validator: None,
            long_lived: m.long_lived,
            severity: m.severity,
            confidence: m.confidence,
            max_span: 512,
            description: format!(
                "{} Found by keytrace's generic detector (a tokenizer over assignments, URLs, \
                 headers, command lines and SQL), not by a provider format; see the README \
                 section 'Generic credentials'.",
                m.description
            ),
            remediation: ROTATE.to_string(),
            examples: vec![m.example.to_string()],
            negative_examples: vec![m.negative.to_string()],
            origin: None,
        }
    }
}

/// Descriptors of every generic rule id, for SARIF metadata and `rules list`.
pub fn descriptors() -> Vec<Rule> {
    GenericRule::ALL.iter().map(|r| r.descriptor()).collect()
}
