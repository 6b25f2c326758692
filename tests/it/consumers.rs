//! Consumers (`props.consumers`): for a key assigned to a name, the places in the same
//! repository that consume the name — one test per consumer kind family, through the binary.

use super::common::{Fixture, acme_rules, acme_token, findings, run, run_json};
use serde_json::Value;

/// Scan `fx` with the Acme test rule; the JSON findings.
fn scan(fx: &Fixture) -> Vec<Value> {
    let rules = acme_rules(fx);
    let (code, report) = run_json(&["scan", ".", "--rules", &rules, "--no-blame"], fx.path());
    assert_eq!(code, 1, "{report}");
    findings(&report)
}

/// The finding at `path`.
fn at<'a>(fs: &'a [Value], path: &str) -> &'a Value {
    fs.iter()
        .find(|f| f["location"]["path"] == path)
        .unwrap_or_else(|| panic!("no finding at {path}: {fs:?}"))
}

/// (path, line, kind, name, workload) of each consumer of a finding.
fn consumers(f: &Value) -> Vec<(String, u64, String, String, String)> {
    f["consumers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["line"].as_u64().unwrap(),
                c["kind"].as_str().unwrap().to_string(),
                c["name"].as_str().unwrap().to_string(),
                c["workload"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The 1-based line of `text` holding `needle` (searched from line `from`).
fn line_of(text: &str, needle: &str, from: usize) -> u64 {
    text.lines()
        .enumerate()
        .skip(from - 1)
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i as u64 + 1)
        .unwrap_or_else(|| panic!("{needle} not in fixture"))
}

fn c(
    path: &str,
    line: u64,
    kind: &str,
    name: &str,
    workload: &str,
) -> (String, u64, String, String, String) {
    (path.into(), line, kind.into(), name.into(), workload.into())
}

#[test]
fn compose_services_consume_through_environment_env_file_and_interpolation() {
    let fx = Fixture::new();
    fx.write(".env", format!("ACME_API_KEY={}\n", acme_token(1)));
    let compose = "services:\n  api:\n    image: acme/api\n    env_file: .env\n  worker:\n    environment:\n      - ACME_API_KEY=${ACME_API_KEY}\n  web:\n    environment:\n      ACME_API_KEY: ${ACME_API_KEY}\n  cron:\n    command: [\"run\", \"--key\", \"${ACME_API_KEY}\"]\n  other:\n    environment:\n      UNRELATED: x\n";
    fx.write("docker-compose.yml", compose);
    let fs = scan(&fx);
    let f = at(&fs, ".env");
    assert_eq!(f["key_name"], "ACME_API_KEY");
    let got = consumers(f);
    let want = vec![
        c(
            "docker-compose.yml",
            4,
            "compose-env-file",
            "ACME_API_KEY",
            "api",
        ),
        c(
            "docker-compose.yml",
            12,
            "compose-interpolation",
            "ACME_API_KEY",
            "cron",
        ),
        c(
            "docker-compose.yml",
            7,
            "compose-environment",
            "ACME_API_KEY",
            "worker",
        ),
        c(
            "docker-compose.yml",
            10,
            "compose-environment",
            "ACME_API_KEY",
            "web",
        ),
    ];
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(got, want_sorted);
    assert_eq!(f["consumers_total"], 4);
}

#[test]
fn kubernetes_containers_consume_through_env_secret_key_ref_and_env_from() {
    let fx = Fixture::new();
    let secret = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: acme-creds\nstringData:\n  ACME_API_KEY: {}\n",
        acme_token(2)
    );
    fx.write("k8s/secret.yaml", &secret);
    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          envFrom:\n            - secretRef:\n                name: acme-creds\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: sync\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: sync\n              env:\n                - name: KEY_FOR_SYNC\n                  valueFrom:\n                    secretKeyRef:\n                      name: acme-creds\n                      key: ACME_API_KEY\n                - name: ACME_API_KEY\n                  value: from-elsewhere\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: unrelated\nspec:\n  containers:\n    - name: x\n      envFrom:\n        - secretRef:\n            name: other-creds\n";
    fx.write("k8s/deploy.yaml", deploy);
    let fs = scan(&fx);
    let got = consumers(at(&fs, "k8s/secret.yaml"));
    let mut want = vec![
        c(
            "k8s/deploy.yaml",
            line_of(deploy, "name: acme-creds", 1),
            "kubernetes-env-from",
            "ACME_API_KEY",
            "Deployment/api (container app)",
        ),
        c(
            "k8s/deploy.yaml",
            line_of(deploy, "key: ACME_API_KEY", 1),
            "kubernetes-secret-key-ref",
            "ACME_API_KEY",
            "CronJob/sync (container sync)",
        ),
        c(
            "k8s/deploy.yaml",
            line_of(deploy, "- name: ACME_API_KEY", 1),
            "kubernetes-env",
            "ACME_API_KEY",
            "CronJob/sync (container sync)",
        ),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn ci_jobs_consume_secrets_env_and_variables() {
    let fx = Fixture::new();
    fx.write(".env", format!("ACME_API_KEY={}\n", acme_token(3)));
    let workflow = "name: deploy\non: push\nenv:\n  ACME_API_KEY: ${{ secrets.ACME_API_KEY }}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/deploy@v1\n        with:\n          token: ${{ secrets['ACME_API_KEY'] }}\n  notify:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./notify\n        env:\n          ACME_API_KEY: ${{ vars.OTHER }}\n";
    fx.write(".github/workflows/deploy.yml", workflow);
    let gitlab = "stages: [test]\nvariables:\n  GLOBAL: x\nunit:\n  script:\n    - make test\npublish:\n  variables:\n    OTHER: y\n  script:\n    - curl -H \"Authorization: $ACME_API_KEY\" https://acme.example\n";
    fx.write(".gitlab-ci.yml", gitlab);
    let fs = scan(&fx);
    let got = consumers(at(&fs, ".env"));
    let wf = ".github/workflows/deploy.yml";
    let mut want = vec![
        c(wf, 4, "github-actions-env", "ACME_API_KEY", "workflow"),
        c(
            wf,
            line_of(workflow, "secrets['ACME_API_KEY']", 1),
            "github-actions-secret",
            "ACME_API_KEY",
            "job deploy",
        ),
        c(
            wf,
            line_of(workflow, "ACME_API_KEY: ${{ vars", 1),
            "github-actions-env",
            "ACME_API_KEY",
            "job notify",
        ),
        c(
            ".gitlab-ci.yml",
            line_of(gitlab, "$ACME_API_KEY", 1),
            "gitlab-ci-script",
            "ACME_API_KEY",
            "job publish",
        ),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn dockerfile_args_env_and_secret_mounts_consume_the_name() {
    let fx = Fixture::new();
    fx.write(".env", format!("ACME_API_KEY={}\n", acme_token(4)));
    let dockerfile = "FROM rust:1 AS build\nARG ACME_API_KEY\nRUN --mount=type=secret,id=ACME_API_KEY \\\n    cargo build\nFROM debian\nENV ACME_API_KEY=${ACME_API_KEY} OTHER=1\nARG UNRELATED\n";
    fx.write("Dockerfile", dockerfile);
    let fs = scan(&fx);
    let mut want = vec![
        c(
            "Dockerfile",
            2,
            "dockerfile-arg",
            "ACME_API_KEY",
            "stage build",
        ),
        c(
            "Dockerfile",
            3,
            "dockerfile-secret-mount",
            "ACME_API_KEY",
            "stage build",
        ),
        c("Dockerfile", 6, "dockerfile-env", "ACME_API_KEY", ""),
    ];
    want.sort();
    assert_eq!(consumers(at(&fs, ".env")), want);
}

#[test]
fn mcp_servers_consume_their_env_and_interpolated_names() {
    let fx = Fixture::new();
    fx.write(".env", format!("ACME_API_KEY={}\n", acme_token(5)));
    let mcp = "{\n  \"mcpServers\": {\n    \"acme\": {\n      \"command\": \"npx\",\n      \"args\": [\"acme-mcp\"],\n      \"env\": {\n        \"ACME_API_KEY\": \"${ACME_API_KEY}\"\n      }\n    },\n    \"docs\": {\n      \"url\": \"https://docs.example/mcp\",\n      \"headers\": {\"Authorization\": \"Bearer ${env:ACME_API_KEY}\"}\n    },\n    \"other\": {\"command\": \"x\", \"env\": {\"OTHER\": \"1\"}}\n  }\n}\n";
    fx.write(".cursor/mcp.json", mcp);
    let fs = scan(&fx);
    let mut want = vec![
        c(
            ".cursor/mcp.json",
            7,
            "mcp-server-env",
            "ACME_API_KEY",
            "mcp server acme",
        ),
        c(
            ".cursor/mcp.json",
            12,
            "mcp-server-env",
            "ACME_API_KEY",
            "mcp server docs",
        ),
    ];
    want.sort();
    assert_eq!(consumers(at(&fs, ".env")), want);
}

#[test]
fn terraform_variables_are_fed_by_tf_var_names_and_tfvars_keys() {
    let fx = Fixture::new();
    fx.write(".env", format!("TF_VAR_acme_api_key={}\n", acme_token(6)));
    fx.write(
        "prod.tfvars",
        format!("acme_api_key = \"{}\"\n", acme_token(7)),
    );
    let vars = "variable \"acme_api_key\" {\n  sensitive = true\n}\nvariable \"region\" {}\n";
    fx.write("infra/variables.tf", vars);
    let main = "provider \"acme\" {\n  region = var.region\n}\n\nresource \"acme_webhook\" \"alerts\" {\n  api_key = var.acme_api_key\n}\n";
    fx.write("infra/main.tf", main);
    let fs = scan(&fx);
    let want_for = |name: &str| {
        let mut v = vec![
            c(
                "infra/main.tf",
                6,
                "terraform-reference",
                name,
                "resource acme_webhook.alerts",
            ),
            c(
                "infra/variables.tf",
                1,
                "terraform-variable",
                name,
                "variable acme_api_key",
            ),
        ];
        v.sort();
        v
    };
    assert_eq!(consumers(at(&fs, ".env")), want_for("TF_VAR_acme_api_key"));
    assert_eq!(consumers(at(&fs, "prod.tfvars")), want_for("acme_api_key"));
}

#[test]
fn code_in_six_languages_reading_the_environment_consumes_the_name() {
    let fx = Fixture::new();
    fx.write(".env", format!("ACME_API_KEY={}\n", acme_token(8)));
    let sources = [
        (
            "app/main.py",
            "import os\n\nkey = os.environ[\"ACME_API_KEY\"]\nalt = os.getenv('ACME_API_KEY_OLD')\n",
            "code-python",
            3,
        ),
        (
            "web/index.ts",
            "// client\nconst key = process.env.ACME_API_KEY;\nconst other = process.env.ACME_API_KEY_V2;\n",
            "code-javascript",
            2,
        ),
        (
            "src/lib.rs",
            "fn key() -> String {\n    std::env::var(\"ACME_API_KEY\").unwrap()\n}\n",
            "code-rust",
            2,
        ),
        (
            "cmd/main.go",
            "package main\n\nimport \"os\"\n\nvar key = os.Getenv(\"ACME_API_KEY\")\n",
            "code-go",
            5,
        ),
        (
            "App.java",
            "class App {\n  String k = System.getenv(\"ACME_API_KEY\");\n}\n",
            "code-java",
            2,
        ),
        (
            "config/acme.rb",
            "Acme.key = ENV.fetch(\"ACME_API_KEY\")\n",
            "code-ruby",
            1,
        ),
        (
            "notes.md",
            "set os.getenv(\"ACME_API_KEY\") in your shell\n",
            "",
            0,
        ),
    ];
    for (path, text, _, _) in sources {
        fx.write(path, text);
    }
    let fs = scan(&fx);
    let mut want: Vec<_> = sources
        .iter()
        .filter(|s| !s.2.is_empty())
        .map(|(p, _, k, l)| c(p, *l, k, "ACME_API_KEY", ""))
        .collect();
    want.sort();
    assert_eq!(consumers(at(&fs, ".env")), want);
}

#[test]
fn an_unconsumed_name_has_no_consumers_and_reports_show_used_by() {
    let fx = Fixture::new();
    fx.write(
        ".env",
        format!(
            "ACME_API_KEY={}\nACME_SPARE_KEY={}\n",
            acme_token(9),
            acme_token(10)
        ),
    );
    fx.write("app.py", "import os\nprint(os.environ['ACME_API_KEY'])\n");
    let fs = scan(&fx);
    let spare = fs
        .iter()
        .find(|f| f["key_name"] == "ACME_SPARE_KEY")
        .unwrap();
    assert!(spare.get("consumers").is_none(), "{spare}");
    let used = fs.iter().find(|f| f["key_name"] == "ACME_API_KEY").unwrap();
    assert_eq!(
        consumers(used),
        vec![c("app.py", 2, "code-python", "ACME_API_KEY", "")]
    );

    let rules = acme_rules(&fx);
    let (_, human, _) = run(&["scan", ".", "--rules", &rules, "--no-blame"], fx.path());
    assert!(
        human.contains("used by    app.py:2 code-python ACME_API_KEY"),
        "{human}"
    );
    let (_, sarif, _) = run(
        &[
            "scan",
            ".",
            "--rules",
            &rules,
            "--no-blame",
            "--format",
            "sarif",
        ],
        fx.path(),
    );
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let props: Vec<&Value> = results.iter().map(|r| &r["properties"]).collect();
    let with = props
        .iter()
        .find(|p| p["key_name"] == "ACME_API_KEY")
        .unwrap();
    assert_eq!(with["consumers"][0]["path"], "app.py");
    assert_eq!(with["consumers"][0]["kind"], "code-python");
}
