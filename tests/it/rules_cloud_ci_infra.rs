//! Cloud, CI/CD and infrastructure rules (issue 17): the shapes the older rules missed (Heroku
//! UUID keys in deploy configs, upper-case Twilio SIDs, Grafana legacy keys and `glrtr-` runner
//! tokens at a sentence end or of other lengths), and look-alikes that must stay silent.
//! Every value here is random, generated for this test.

use keytrace::matcher::RuleSet;
use keytrace::rules::embedded_rules;

/// Providers whose rule files this work added or changed.
const PROVIDERS: &[&str] = &[
    "aws",
    "azure",
    "gcp",
    "alibaba",
    "cloudflare",
    "digitalocean",
    "bitbucket",
    "github",
    "gitlab",
    "grafana",
    "hashicorp-vault",
    "heroku",
    "twilio",
    "jenkins",
    "dockerhub",
    "netlify",
    "vercel",
    "oracle",
    "ibm-cloud",
    "linode",
    "scaleway",
    "hetzner",
    "fastly",
    "akamai",
    "vultr",
    "ovh",
    "exoscale",
    "tencent-cloud",
    "yandex-cloud",
    "backblaze",
    "wasabi",
    "render",
    "railway",
    "fly",
    "jfrog",
    "sonarqube",
    "snyk",
    "codecov",
    "docker-swarm",
    "harness",
    "travis-ci",
    "drone",
    "teamcity",
    "octopus-deploy",
    "gitea",
    "sourcegraph",
    "hcp",
    "kubernetes",
    "consul",
    "nomad",
    "rancher",
];

/// (rule id, secret) of every provider-rule match in `text`, through the real matcher.
fn matches(text: &str) -> Vec<(String, String)> {
    let set = RuleSet::provider_only(embedded_rules().expect("embedded rules"), true)
        .expect("rule set compiles");
    let mut matcher = set.matcher();
    matcher
        .scan(text.as_bytes())
        .into_iter()
        .map(|m| {
            (
                set.rule(m.rule_index).id.clone(),
                text[m.secret.clone()].to_string(),
            )
        })
        .collect()
}

/// Matches of rules from the providers above only.
fn own_matches(text: &str) -> Vec<(String, String)> {
    let set = RuleSet::provider_only(embedded_rules().expect("embedded rules"), true)
        .expect("rule set compiles");
    let mut matcher = set.matcher();
    matcher
        .scan(text.as_bytes())
        .into_iter()
        .filter(|m| PROVIDERS.contains(&set.rule(m.rule_index).provider.as_str()))
        .map(|m| {
            (
                set.rule(m.rule_index).id.clone(),
                text[m.secret.clone()].to_string(),
            )
        })
        .collect()
}

fn assert_found(text: &str, rule_id: &str, secret: &str) {
    let found = matches(text);
    assert!(
        found.iter().any(|(id, s)| id == rule_id && s == secret),
        "{rule_id} should report {secret} in {text:?}; got {found:?}"
    );
}

#[test]
fn heroku_uuid_keys_are_found_in_deploy_configs() {
    let cases = [
        (
            "deploy:\n  provider: heroku\n  app: shop-api\n  api_key: 9caffa79-4e25-4568-916a-3b9eed9aa839\n",
            "9caffa79-4e25-4568-916a-3b9eed9aa839",
        ),
        (
            "machine api.heroku.com\n  login ops@shop.io\n  password ab744a86-cb9a-4482-a410-3a229a56b5ce\n",
            "ab744a86-cb9a-4482-a410-3a229a56b5ce",
        ),
        (
            "heroku.apiKey = \"f5c9efbd-974d-4162-879b-a9505017d79f\"\n",
            "f5c9efbd-974d-4162-879b-a9505017d79f",
        ),
        (
            "heroku:\n  app_name: shop-api\n  api_key: \"C2F1F5A8-BDD3-4B7B-B4D1-A9A92A2FB29F\"\n",
            "C2F1F5A8-BDD3-4B7B-B4D1-A9A92A2FB29F",
        ),
    ];
    for (text, secret) in cases {
        assert_found(text, "heroku-api-key-legacy", secret);
    }
    // The same places holding an app id or an encrypted value hold no key.
    for text in [
        "heroku:\n  app_name: shop-api\n  app_id: df611cd7-e22d-471a-a478-d7ca452f58e6\n",
        "heroku.appId = \"abb365dd-375a-4fc6-ba99-8402bcdf3f79\"\n",
        "deploy:\n  provider: heroku\n  api_key:\n    secure: agOUWDjX7j08bSE+dudCb9MjRB+p5CPOiQ2rfxs39GoT6TG7J6e+/x0n+45R1Kat2y4kS3usHLvWPqCr\n",
    ] {
        let found = own_matches(text);
        assert!(found.is_empty(), "{text:?} gave {found:?}");
    }
}

#[test]
fn twilio_upper_case_sids_are_recognised() {
    assert_found(
        "TWILIO_API_KEY=SKB6F68C5AF3E0EF358EDABD9742DA48D2\n",
        "twilio-api-key-sid",
        "SKB6F68C5AF3E0EF358EDABD9742DA48D2",
    );
    assert_found(
        "client = Client(\"SK8B2ED49B13910C1062705E182F8E0E01\", \"HEzldSA0hAjGJR9UMfYyxQ6egYpdiuub\", sid)\n",
        "twilio-api-key-secret",
        "HEzldSA0hAjGJR9UMfYyxQ6egYpdiuub",
    );
    assert_found(
        "from twilio.rest import Client\nclient = Client('ACC620BED2DDAC9B956911FEF4AD5ADDDF', 'a6d90b6fb8d1dcda103a2f66ca2d7e49')\n",
        "twilio-auth-token",
        "a6d90b6fb8d1dcda103a2f66ca2d7e49",
    );
    // Mixed case is no SID format.
    let mixed = own_matches(concat!(
        "TWILIO_API_KEY=SKB6F68C5AF3E0EF35",
        "8edabd9742da48d2"
    ));
    assert!(mixed.is_empty(), "{mixed:?}");
}

#[test]
fn grafana_legacy_keys_at_a_sentence_end_or_with_long_names() {
    assert_found(
        "Use the admin key eyJrIjoiZlRuaWhrTGc4NEVBdWUyRHA1V1dpV3daV1BwY2tyNkQiLCJuIjoiYWRtaW4iLCJpZCI6MX0=.\n",
        "grafana-api-key-legacy",
        "eyJrIjoiZlRuaWhrTGc4NEVBdWUyRHA1V1dpV3daV1BwY2tyNkQiLCJuIjoiYWRtaW4iLCJpZCI6MX0=",
    );
    let long = "eyJrIjoibWhBdHh1Q2RTNk02dWhrdk1nTGRTNXpicjR0WUFVS3ciLCJuIjoiZ3JhZmFuYS1jbG91ZC1wMHhmOWg4eS02dmFiOGRhdC15aWd6MDlubi1vcTVxbXhobS0ybGM3NXBscS15aXhhNWp0aC13bnVseHh0cy15YnR6NDhpdS02dHg5dHc5Yi04dTRzaGtwZi1kcjk4NXMwMy0wcG03NGhoYi0xbjVkam83bS01bmVwbjl4dCIsImlkIjo0NTczMTJ9";
    assert_found(
        &format!("grafana_api_key: \"{long}\"\n"),
        "grafana-api-key-legacy",
        long,
    );
    // The same prefix as the header of a JWT is not a Grafana key.
    let jwt = own_matches(
        "token = eyJrIjoiZlRuaWhrTGc4NEVBdWUyRHA1V1dpV3daV1BwY2tyNkQiLCJuIjoiYWRtaW4iLCJpZCI6MX0.eyJzdWIiOiIxOTk0In0.c2lnbmF0dXJlLXZhbHVlLWhlcmU\n",
    );
    assert!(
        jwt.iter().all(|(id, _)| id != "grafana-api-key-legacy"),
        "{jwt:?}"
    );
}

#[test]
fn gitlab_registration_runner_tokens_of_other_lengths() {
    assert_found(
        "Register it with RUNNER_TOKEN=glrtr-X8b_YVX5AgEqPHz8j16N.\n",
        "gitlab-runner-authentication-token",
        "glrtr-X8b_YVX5AgEqPHz8j16N",
    );
    assert_found(
        "  token: glrtr-j9ttVK9peeBruhJsMD964oU-WZm6\n",
        "gitlab-runner-authentication-token",
        "glrtr-j9ttVK9peeBruhJsMD964oU-WZm6",
    );
}

#[test]
fn azure_identifiable_key_needs_its_signature_in_place() {
    let key = "O8nzuXzuxq6SiWPI2t+oC8I2Q2UwUY9H4+AEhN7uLYE=";
    assert_found(
        &format!("EVENTHUB_KEY={key}\n"),
        "azure-event-hubs-identifiable-key",
        key,
    );
    // One character earlier or later, or as a go.sum / npm hash, it is a random blob.
    for text in [
        "EVENTHUB_KEY=O8nzuXzuxq6SiWPI2t+oC8I2Q2UwUY9H+AEhN7uLYEw=\n".to_string(),
        "EVENTHUB_KEY=O8nzuXzuxq6SiWPI2t+oC8I2Q2UwUY9H4Q+AEhN7uLE=\n".to_string(),
        format!("golang.org/x/net v0.30.0 h1:{key}\n"),
        format!("\"integrity\": \"sha256-{key}\"\n"),
    ] {
        let found = own_matches(&text);
        assert!(found.is_empty(), "{text:?} gave {found:?}");
    }
}

#[test]
fn among_lockfile_hashes_commit_shas_and_ids_only_the_keys_are_reported() {
    let text = "\
golang.org/x/sys v0.26.0 h1:t/hrLtrN1TpfMJzmI21uvXjxgQzC5NEFJORX5eVFsjI=
    \"integrity\": \"sha512-P+YHldPteFL+HDCnwhXdgdQoppMfPsh0PVmcoBjuJ8C42gTU1wZq9oWO38R4J44OLYe7KT7pL/suKG/u7somJQ==\",
checksum = \"b45bf95dd9d5cfb1a2d0486d02b2b13ac3643535d7f05e726359cdfbed695e42\"
      GITHUB_SHA: dc9cc3249ba951a7897a1bd34cdb5975e2ebe656
      github_commit: 5c701eb3ffb876775153cd70831957d6a81ab371
      https://github.com/shop/api/commit/dc9cc3249ba951a7897a1bd34cdb5975e2ebe656
      SNYK_ORG_ID: 9caffa79-4e25-4568-916a-3b9eed9aa839
      CODECOV_REPO_ID: ab744a86-cb9a-4482-a410-3a229a56b5ce
      RAILWAY_PROJECT_ID: f5c9efbd-974d-4162-879b-a9505017d79f
      CONSUL_SERVICE_ID: df611cd7-e22d-471a-a478-d7ca452f58e6
      NOMAD_ALLOC_ID: abb365dd-375a-4fc6-ba99-8402bcdf3f79
metadata:
  uid: c2f1f5a8-bdd3-4b7b-b4d1-a9a92a2fb29f
  annotations:
    checksum/config: b45bf95dd9d5cfb1a2d0486d02b2b13ac3643535d7f05e726359cdfbed695e42
kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:b45bf95dd9d5cfb1a2d0486d02b2b13ac3643535d7f05e726359cdfbed695e42
encrypt = true
      SNYK_TOKEN: 185f0fa9-6c34-4290-b147-9d70c582ade8
      GITHUB_TOKEN: e9167537fd799e56e2917feec416b428f2a732c2
";
    let mut found = own_matches(text);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "github-legacy-token".to_string(),
                "e9167537fd799e56e2917feec416b428f2a732c2".to_string()
            ),
            (
                "snyk-api-token".to_string(),
                "185f0fa9-6c34-4290-b147-9d70c582ade8".to_string()
            ),
        ],
        "only the two keys among the look-alikes"
    );
}
