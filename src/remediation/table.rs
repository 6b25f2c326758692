//! The remediation table: per provider (rule file stem), then per category, then one fallback.
//! Each entry says how to revoke and rotate the credential (with the provider's documentation)
//! and what short-lived, workload-bound credential should replace it. New rules get an entry
//! through their provider or category without any change here.

use super::Remediation;

/// Entries keyed by provider name (`props.provider`, the rule file stem).
pub const BY_PROVIDER: &[Remediation] = &[
    Remediation {
        key: "aws",
        revoke: "Deactivate, then delete the access key in IAM (Security credentials of the user); check CloudTrail for its use first",
        revoke_url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        replace: "An IAM role assumed by the workload: GitHub Actions OIDC (`aws-actions/configure-aws-credentials` with `role-to-assume`), IAM roles for service accounts on EKS, instance or task roles",
        replace_url: "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services",
    },
    Remediation {
        key: "gcp",
        revoke: "Delete the service-account key (`gcloud iam service-accounts keys delete`); disable the account if unsure who uses it",
        revoke_url: "https://cloud.google.com/iam/docs/keys-create-delete#deleting",
        replace: "Workload Identity Federation (GitHub Actions OIDC via `google-github-actions/auth`, GKE Workload Identity) instead of exported keys",
        replace_url: "https://cloud.google.com/iam/docs/workload-identity-federation",
    },
    Remediation {
        key: "azure",
        revoke: "Delete the client secret of the app registration (Certificates & secrets) and create a new one only if still needed",
        revoke_url: "https://learn.microsoft.com/en-us/entra/identity-platform/how-to-add-credentials",
        replace: "Workload identity federation (GitHub Actions OIDC with `azure/login`, AKS workload identity) or a managed identity",
        replace_url: "https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation",
    },
    Remediation {
        key: "github",
        revoke: "Delete the token under Settings → Developer settings (or report it to GitHub's credential revocation API); rotate app private keys and OAuth secrets in the app settings",
        revoke_url: "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens",
        replace: "A GitHub App installation token (expires after one hour, scoped to chosen repositories) instead of a personal access token; in Actions, the job's `GITHUB_TOKEN` with minimal `permissions:`",
        replace_url: "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app",
    },
    Remediation {
        key: "gitlab",
        revoke: "Revoke the token (user, project or group access tokens page) or rotate it with the token rotation API",
        revoke_url: "https://docs.gitlab.com/user/profile/personal_access_tokens/",
        replace: "The CI/CD job token (`CI_JOB_TOKEN`) or OIDC `id_tokens` for cloud access, which live as long as the job",
        replace_url: "https://docs.gitlab.com/ci/secrets/id_token_authentication/",
    },
    Remediation {
        key: "slack",
        revoke: "Revoke the token (`auth.revoke`, or reinstall the app to issue new ones); regenerate webhook URLs and signing secrets in the app settings",
        revoke_url: "https://api.slack.com/methods/auth.revoke",
        replace: "Token rotation: expiring access tokens with refresh tokens kept in a secret manager",
        replace_url: "https://api.slack.com/authentication/rotation",
    },
    Remediation {
        key: "openai",
        revoke: "Delete the key on the API keys page of its project and create a new one",
        revoke_url: "https://platform.openai.com/api-keys",
        replace: "A project-scoped service-account key with restricted permissions, served to the workload by a secret manager, never committed",
        replace_url: "https://platform.openai.com/docs/api-reference/authentication",
    },
    Remediation {
        key: "anthropic",
        revoke: "Delete the key in the Console (Settings → API keys) and create a new one in the right workspace",
        revoke_url: "https://console.anthropic.com/settings/keys",
        replace: "A workspace-scoped key with spend limits, served by a secret manager; admin keys only where needed",
        replace_url: "https://docs.anthropic.com/en/api/administration-api",
    },
    Remediation {
        key: "huggingface",
        revoke: "Invalidate or delete the token in Settings → Access Tokens",
        revoke_url: "https://huggingface.co/settings/tokens",
        replace: "A fine-grained token limited to the repositories and permissions the workload needs",
        replace_url: "https://huggingface.co/docs/hub/security-tokens",
    },
    Remediation {
        key: "stripe",
        revoke: "Roll the key in the Dashboard (API keys → Roll key), which expires the old one",
        revoke_url: "https://docs.stripe.com/keys#rolling-keys",
        replace: "A restricted key with only the resources the workload uses, kept in a secret manager",
        replace_url: "https://docs.stripe.com/keys#limit-access",
    },
    Remediation {
        key: "npm",
        revoke: "Revoke the token (`npm token revoke` or the Access Tokens page)",
        revoke_url: "https://docs.npmjs.com/revoking-access-tokens",
        replace: "Trusted publishing from CI (OIDC, no token), or a granular token limited to packages and expiry",
        replace_url: "https://docs.npmjs.com/trusted-publishers",
    },
    Remediation {
        key: "pypi",
        revoke: "Remove the API token in Account settings → API tokens",
        revoke_url: "https://pypi.org/help/#apitoken",
        replace: "Trusted publishing (OIDC from GitHub Actions, GitLab CI and others): short-lived upload tokens, nothing to store",
        replace_url: "https://docs.pypi.org/trusted-publishers/",
    },
    Remediation {
        key: "rubygems",
        revoke: "Delete the API key in Settings → API keys",
        revoke_url: "https://guides.rubygems.org/api-key-scopes/",
        replace: "Trusted publishing from CI (OIDC), no stored key",
        replace_url: "https://guides.rubygems.org/trusted-publishing/",
    },
    Remediation {
        key: "crates-io",
        revoke: "Revoke the token in Account Settings → API Tokens",
        revoke_url: "https://crates.io/settings/tokens",
        replace: "Trusted publishing from GitHub Actions (OIDC), or a scoped token with an expiry",
        replace_url: "https://crates.io/docs/trusted-publishing",
    },
    Remediation {
        key: "dockerhub",
        revoke: "Delete the personal access token in Account settings → Personal access tokens",
        revoke_url: "https://docs.docker.com/security/for-developers/access-tokens/",
        replace: "An organization access token or read-only PAT with an expiry, served by the CI secret store",
        replace_url: "https://docs.docker.com/security/for-admins/access-tokens/",
    },
    Remediation {
        key: "sendgrid",
        revoke: "Delete the API key in Settings → API Keys",
        revoke_url: "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",
        replace: "A restricted-access key with only the scopes the sender needs, in a secret manager",
        replace_url: "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",
    },
    Remediation {
        key: "twilio",
        revoke: "Rotate the auth token (secondary token, then promote) or delete the API key",
        revoke_url: "https://www.twilio.com/docs/iam/api-keys",
        replace: "Per-workload API keys (revocable one by one) instead of the account auth token",
        replace_url: "https://www.twilio.com/docs/iam/api-keys",
    },
    Remediation {
        key: "datadog",
        revoke: "Revoke the API or application key in Organization Settings → API Keys / Application Keys",
        revoke_url: "https://docs.datadoghq.com/account_management/api-app-keys/",
        replace: "Scoped application keys and agent keys delivered by a secret manager (the Agent's secrets backend)",
        replace_url: "https://docs.datadoghq.com/agent/configuration/secrets-management/",
    },
];

/// Entries keyed by rule category, for providers without their own entry.
pub const BY_CATEGORY: &[Remediation] = &[
    Remediation {
        key: "cloud",
        revoke: "Revoke the key in the provider's console and review its audit log for use",
        revoke_url: "https://developer.hashicorp.com/vault/docs/secrets",
        replace: "Short-lived credentials for the workload: OIDC federation from CI (GitHub Actions `id-token: write`) or the platform's workload identity",
        replace_url: "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect",
    },
    Remediation {
        key: "vcs",
        revoke: "Revoke the token in the forge's settings and review recent pushes and API use",
        revoke_url: "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation",
        replace: "App installation tokens or the CI job's own token, scoped to one repository and expiring within hours",
        replace_url: "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app",
    },
    Remediation {
        key: "package-registry",
        revoke: "Revoke the publish token on the registry and check recent releases",
        revoke_url: "https://docs.pypi.org/trusted-publishers/",
        replace: "Trusted publishing (OIDC from CI): short-lived publish tokens, nothing stored",
        replace_url: "https://repos.openssf.org/trusted-publishers-for-all-package-repositories",
    },
    Remediation {
        key: "ci",
        revoke: "Revoke the token in the CI system's settings",
        revoke_url: "https://developer.hashicorp.com/vault/docs/secrets",
        replace: "OIDC tokens issued per job, exchanged for short-lived credentials",
        replace_url: "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect",
    },
    Remediation {
        key: "database",
        revoke: "Change the password (or drop the user) on the database server, then update every client",
        revoke_url: "https://developer.hashicorp.com/vault/docs/secrets/databases",
        replace: "Dynamic database credentials (Vault database engine) or IAM database authentication (RDS, Cloud SQL, Azure AD)",
        replace_url: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html",
    },
    Remediation {
        key: "private-key",
        revoke: "Replace the key pair: remove the public key wherever it is trusted (authorized_keys, deploy keys, certificates) and issue a new one",
        revoke_url: "https://docs.github.com/en/authentication/connecting-to-github-with-ssh/reviewing-your-ssh-keys",
        replace: "Short-lived certificates from an SSH or X.509 CA (Vault SSH/PKI engines) instead of long-lived keys",
        replace_url: "https://developer.hashicorp.com/vault/docs/secrets/ssh/signed-ssh-certificates",
    },
    Remediation {
        key: "ai-provider",
        revoke: "Delete the key in the provider's console and create a new one, scoped to one project",
        revoke_url: "https://developer.hashicorp.com/vault/docs/secrets/kv",
        replace: "A project-scoped key with spend limits, served to the workload by a secret manager",
        replace_url: "https://developer.hashicorp.com/vault/docs/secrets/kv",
    },
    Remediation {
        key: "payments",
        revoke: "Roll the key in the payment provider's dashboard",
        revoke_url: "https://docs.stripe.com/keys#rolling-keys",
        replace: "Restricted keys with the fewest permissions, served by a secret manager",
        replace_url: "https://developer.hashicorp.com/vault/docs/secrets/kv",
    },
    Remediation {
        key: "jwt",
        revoke: "Rotate the signing key of the issuer so the token stops validating",
        revoke_url: "https://datatracker.ietf.org/doc/html/rfc8725",
        replace: "Short-lived tokens (minutes) obtained at run time, never stored",
        replace_url: "https://datatracker.ietf.org/doc/html/rfc8725",
    },
];

/// Used when neither the provider nor the category has an entry (chat, saas, generic…).
pub const FALLBACK: Remediation = Remediation {
    key: "default",
    revoke: "Revoke or rotate the credential where it was issued, then update the workloads that use it",
    revoke_url: "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
    replace: "Serve it at run time from a secret manager (Vault, AWS Secrets Manager, GCP Secret Manager, Azure Key Vault) with rotation, never from files in the repository",
    replace_url: "https://developer.hashicorp.com/vault/docs/secrets",
};
