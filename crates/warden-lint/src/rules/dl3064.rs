//! DL3064: secrets in ARG or ENV names.
use super::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    code: "DL3064",
    level: Level::Warning,
    message: "Potentially sensitive data should not be used in the `ARG` or `ENV` commands",
    doc: "## What it does\nFlags ARG and ENV names that are known secret variables or contain `api_key`, `client_key`, `password`, `private`, `secret`, `token` or `username`.\n\n## Why\nARG and ENV values are stored in the image history and config.\n\n## Example\n```dockerfile\nRUN --mount=type=secret,id=npm_token npm ci\n```",
    family: Family::Hadolint,
    check,
};

const KNOWN: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_CLIENT_SECRET",
    "AZURE_STORAGE_KEY",
    "AZURE_STORAGE_CONNECTION_STRING",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GCP_SERVICE_ACCOUNT_KEY",
    "DOCKER_PASSWORD",
    "DOCKER_AUTH_CONFIG",
    "DOCKERHUB_PASSWORD",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITLAB_TOKEN",
    "CI_JOB_TOKEN",
    "NPM_TOKEN",
    "NPM_AUTH_TOKEN",
    "NUGET_API_KEY",
    "PYPI_PASSWORD",
    "TWINE_PASSWORD",
    "SLACK_TOKEN",
    "SLACK_WEBHOOK_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_API_KEY",
    "SENDGRID_API_KEY",
    "TWILIO_AUTH_TOKEN",
    "HEROKU_API_KEY",
    "DATABASE_URL",
    "DB_PASSWORD",
    "MYSQL_ROOT_PASSWORD",
    "MYSQL_PASSWORD",
    "POSTGRES_PASSWORD",
    "PGPASSWORD",
    "REDIS_PASSWORD",
    "MONGO_INITDB_ROOT_PASSWORD",
    "RABBITMQ_DEFAULT_PASS",
    "SECRET_KEY",
    "SECRET_KEY_BASE",
    "JWT_SECRET",
    "ENCRYPTION_KEY",
    "PRIVATE_KEY",
    "SSH_PRIVATE_KEY",
    "API_KEY",
    "API_SECRET",
    "OPENAI_API_KEY",
    "VAULT_TOKEN",
    "CONSUL_HTTP_TOKEN",
    "SONAR_TOKEN",
];
const PARTS: &[&str] = &[
    "api_key",
    "client_key",
    "password",
    "private",
    "secret",
    "token",
    "username",
];

/// Whether a variable name looks like a secret.
pub fn is_secret_name(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    let low = name.to_ascii_lowercase();
    KNOWN.contains(&up.as_str()) || PARTS.iter().any(|p| low.contains(p))
}

fn check(cx: &Ctx, out: &mut Out) {
    for (_, i) in cx.instructions() {
        let bad = match &unwrap_onbuild(i).kind {
            Kind::Arg(a) => a.iter().any(|a| is_secret_name(&a.name)),
            Kind::Env(kvs) => kvs.iter().any(|kv| is_secret_name(&kv.key)),
            _ => false,
        };
        if bad {
            out.at(i);
        }
    }
}
