//! Provider rules for observability, data platforms and AI/agent services (issue 17, rules-b):
//! realistic lines are found by the intended rule through the whole scan, and identifiers or
//! references assigned to the same key names are not taken for keys. Every value is random.

use super::common::{Fixture, findings, run_json};

/// (rule that must report the line, file contents).
const FOUND: &[(&str, &str)] = &[
    (
        "dynatrace-api-token",
        "export DT_API_TOKEN=\"dt0c01.BBZVQXEG2CFCK5ZYDDDKZMW5.J2IZU11OH2YHZSRY1N2E4ADEE91GX6VGQWSSTXK47G21EFJDYVZCZH4G0DY7ZY3U\"",
    ),
    (
        "honeycomb-ingest-key",
        "OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=hcxik_nny0sadg6ka37iq46mcbyccqlqSiU1x2HRLeqbtV752ZGmgYAfxbB8gmCJ",
    ),
    (
        "pagerduty-alertmanager-key",
        "route:\n  receiver: oncall\nreceivers:\n  - name: oncall\n    pagerduty_configs:\n      - routing_key: 6f55070837316824de34d430c4b80018",
    ),
    (
        "splunk-hec-authorization-header",
        "requests.post(url, headers={\"Authorization\": \"Splunk f9761db9-3e9f-4f90-af3d-fc03f015fdfc\"}, json=event)",
    ),
    (
        "sumologic-http-source-url",
        "SUMO_ENDPOINT=\"https://endpoint1.collection.eu.sumologic.com/receiver/v1/http/1gqA1sUW4cRC5p56ewdILlHW1oa4T6HJMpVr5FiaGzjA9Y3Dayfk3pVAQFLqcJqpRaeOfxw5HVKCNTFIbbn7jPzXRORAKL9z9RSE_u3zavy_i9==\"",
    ),
    (
        "posthog-personal-api-key",
        "POSTHOG_PERSONAL_API_KEY=\"phx_DrpDe1cg7pkylI4SVP7AEGJNQBV8EnHruCM1aVmhUHcAn9g\"",
    ),
    (
        "segment-public-api-token",
        "Authorization: Bearer sgp_rz1C5ZQvKtowMkNoRp0jxyRDTi7l6g65Cae1wWSj1zYgE5q08qlktWknfBzmAHK3",
    ),
    (
        "elastic-cloud-api-key",
        "ec_api_key: essu_gEReogzF1ny9gWU49cevYbPa9jfI6FHA4Ep24tsI2k+61QuwZRcJVuFrUyyEF/JgE8hccpVHVHIccDRJSa8sikgEb13da8rL1h8N==",
    ),
    (
        "axiom-api-token",
        "AXIOM_TOKEN=xaat-bc6a3e75-ff3a-47e7-862c-ec1eb0ac649f",
    ),
    (
        "newrelic-license-key-eu",
        "NEW_RELIC_LICENSE_KEY: eu01xx9eefac13dd378a591fb07a3b3d0955NRAL",
    ),
    (
        "sentry-legacy-auth-token",
        "SENTRY_AUTH_TOKEN=ae12496b0fce8125abc8e8ddc16352be3d3edbc88770f3488b6d686638651767",
    ),
    (
        "planetscale-password",
        "DATABASE_URL=\"mysql://ckhu3myu3h18:pscale_pw_ne6fir0S3lqyRdKGdv8gKU62PyLdPy991DRpsjVauts@aws.connect.psdb.cloud/shop?ssl={\\\"rejectUnauthorized\\\":true}\"",
    ),
    (
        "supabase-personal-access-token",
        "supabase login --token sbp_3b94bfbd57a790f1e5a365364b73811339f4f920",
    ),
    (
        "mongodb-atlas-service-account-secret",
        "ATLAS_CLIENT_SECRET=mdb_sa_sk_3VRmayOzoYhymtkQWZG6kR56BhAvTGIQZabUEPVb",
    ),
    (
        "databricks-oauth-secret",
        "DATABRICKS_CLIENT_SECRET=dose37e8c7464c6c585d3c86a8b9e1f572ea",
    ),
    (
        "confluent-jaas-password",
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"6OO42LOCNDTXRGS8\" password=\"3uK6AhNxBt0q9EXU0I5ENp8xO78Bk+8kK89Rz6vBNJm6738OMzUUTJ5zoKj2mTyC\";",
    ),
    (
        "neon-api-key",
        "NEON_API_KEY=napi_1hpymnkrmw8lfo5bt6z23ocl3e9469p511s6izchbi44a575enncm7znp72wv930",
    ),
    (
        "cockroachdb-cloud-api-key",
        "apikey = \"CCDB1_sVrJyNuau1bM6Pw618p47g_BkCVxE8XHf7GF3ckvk5lqUGOd5bh7IVsva7wSX6h\"",
    ),
    (
        "dbt-cloud-service-token",
        "DBT_CLOUD_API_KEY=dbtc_pG3iJrxNB8pTuoTHE_ldr__aGvKK0sW2oD0Jy3F25P01PAD5rwKsYkR1",
    ),
    (
        "database-clickhouse-url",
        "CLICKHOUSE_URL=clickhouse://default:eshe6DlyuTZzDojWCwga@ch.internal:9000/default",
    ),
    (
        "database-password-env",
        "      MONGO_INITDB_ROOT_PASSWORD: 6rc1FVjy0ZGCId9FjB",
    ),
    (
        "meta-llama-api-key",
        "LLAMA_API_KEY=LLM|1084761866821444|vGO4o9RAf1qm9Zq9jF7T7UHVMLn",
    ),
    (
        "llamacloud-api-key",
        "LLAMA_CLOUD_API_KEY=llx-dEywvS5YQtOFqIe4097Ee20EqyICZ7rWsIViX23QpRpBEqKJ",
    ),
    (
        "nvidia-api-key",
        "NVIDIA_API_KEY=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",
    ),
    (
        "runpod-api-key",
        "RUNPOD_API_KEY=rpa_YX7NDHI15M3BYM9SHHNABFPUAAD8HITMNBGP9H5501X4FPSM",
    ),
    (
        "langfuse-secret-key",
        "LANGFUSE_SECRET_KEY=\"sk-lf-88e963a9-391c-4e5f-be4a-dc6ba91a3282\"",
    ),
    (
        "helicone-api-key",
        "\"Helicone-Auth\": \"Bearer sk-helicone-q9y6zrs-2sgxa5b-rw1cc7u-gwrc48x\",",
    ),
    (
        "qianfan-api-key",
        "QIANFAN_API_KEY=bce-v3/ALTAK-h7aTwEWBdEKYHEJ71oheH/89d3972fbad737712dd594045e46c0d0b2e70fe9",
    ),
    (
        "tavily-api-key",
        "TAVILY_API_KEY=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",
    ),
    (
        "e2b-api-key",
        "E2B_API_KEY=e2b_55b54972ec4f49d9edabee8930c485cd0510aeb8",
    ),
    (
        "jina-api-key",
        "JINA_API_KEY=jina_c46b8e9a3822c118d254dfe4a4a5e7399q41n1HOvEMGUs2Y9kRBK6pJCCDa",
    ),
    (
        "modal-token-secret",
        "modal token set --token-id ak-JzQQ46fuDfVt9LWqNtQztQ --token-secret as-77NpfFmAAOyWmukYSDLTpM",
    ),
    (
        "zhipu-api-key",
        "ZHIPUAI_API_KEY=3042294a74186fdb9fc5534c6bcac9d7.fbUlNZ4Q9ixhIM3E",
    ),
    (
        "qdrant-client-api-key",
        "client = QdrantClient(url=QDRANT_URL, api_key=\"YyGqaomAPcNtQURJssjcGp-k5g7uQ4ywOv06IofZ\")",
    ),
    (
        // The header is shared by every Azure AI service and API Management: azure.toml's rule.
        "azure-cognitive-services-key",
        "-H \"Ocp-Apim-Subscription-Key: 21a3a4751b41ede96ba5d1fa4499a9ae\"",
    ),
    (
        "segment-write-key",
        "SEGMENT_WRITE_KEY=aDDupGTCrhoJOmuWSIhN4DuY9EF9lGlZ",
    ),
    (
        "clickhouse-cloud-api-secret",
        "CLICKHOUSE_KEY_SECRET=AtiMN4hniD1uuu5SRKWYHeRotiKV0Wr9Ank6SWdFj4",
    ),
    (
        "ai21-api-key",
        "ai21_api_key: \"oXWQH9llWxyIkYVU1C9TujP0LOMbKOyZ\"",
    ),
];

/// (rule, a line with a key it must report, a line assigning an identifier or reference to the
/// same name that no rule of the rule's provider may report).
const TWINS: &[(&str, &str, &str)] = &[
    (
        "clickhouse-cloud-api-secret",
        "CLICKHOUSE_KEY_SECRET=4Kw24Z6OosAjT2jf54Idyt1st7E4f2eMhCPU5AZN2e",
        "clickhouse_key_secret = ClickhouseCloudKeySecretLookupValue",
    ),
    (
        "ai21-api-key",
        "AI21_API_KEY=\"B2N72mOqJR12LHRaXnRhMGpfA2LJ1XPS\"",
        "ai21_api_key = Ai21LabsApiKeyFromEnvironmentVar",
    ),
    (
        "redis-cloud-api-secret",
        "REDISCLOUD_SECRET_KEY=mxR6Gt6IlQUpdBFkU9quyvwFsZQbXfy9Yus247Gatxj7LyBldN",
        "redis_cloud_secret_key = RedisCloudSecretKeyFromTheSecretsManager",
    ),
    (
        "airbyte-client-secret",
        "airbyte_client_secret: 'xYroXWWwkzlMS1IgI65PzS8G08Z6l4Cz7mmIviFH'",
        "airbyte_client_secret = AirbyteApplicationClientSecretLookupValue",
    ),
    (
        "elastic-apm-secret-token",
        "ELASTIC_APM_SECRET_TOKEN=5cizGnZDSCU5h6UfherFwEvBMdb5Df9Q",
        "ELASTIC_APM_SECRET_TOKEN = ElasticApmConfigurationProvider",
    ),
    (
        "comet-api-key",
        "COMET_API_KEY=VqiAknIZe5fQf7L6d3vM7qcyC",
        "comet_api_key = CometMlApiKeyLookupFromVault",
    ),
    (
        "composio-api-key",
        "COMPOSIO_API_KEY=ak_AGgO69dAB1oYoRsndxG1",
        "composio_api_key = get_composio_api_key_from_env()",
    ),
    (
        "qdrant-api-key",
        "QDRANT_API_KEY=2kC_rWZ9zMjSeq24WqIxU8lpJ92x6epNqsCBvEFBlHCVSMYp",
        "qdrant_api_key = settings.qdrant_cloud_api_key_from_environment_var",
    ),
    (
        "segment-write-key",
        "segment_write_key: EkENMV3MbTCMJzyfJuGkknLBSjQucsX9",
        "segment_write_key = getSegmentWriteKeyFromEnvironment()",
    ),
    (
        "snowflake-password",
        "SNOWFLAKE_PASSWORD=ahbsJKXVpXHKMc3j!",
        "snowflake_password = settings.snowflake.password_value",
    ),
    (
        "database-password-env",
        "POSTGRES_PASSWORD: AEmSDluNQj7hcvSIMpSl",
        "POSTGRES_PASSWORD: /run/secrets/postgres_pw",
    ),
    (
        "honeycomb-api-key",
        "HONEYCOMB_API_KEY: if0GPWoO8kMCDCJZerF8CR",
        "HONEYCOMB_API_KEY: ${HONEYCOMB_API_KEY}",
    ),
    (
        "pagerduty-alertmanager-key",
        "pagerduty_configs:\n  - routing_key: 818edb41108727549fb5c77867b50069",
        "pagerduty_configs:\n  - routing_key_file: /etc/alertmanager/pd_key",
    ),
];

/// (path, rule id) of every finding of a scan of the fixture at the lowest confidence.
fn scan(fx: &Fixture) -> Vec<(String, String)> {
    let (code, report) = run_json(&["scan", ".", "--confidence", "low"], fx.path());
    assert!(code == 0 || code == 1, "scan failed with exit code {code}");
    findings(&report)
        .iter()
        .map(|f| {
            (
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["rule_id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Rule id -> provider, for the embedded provider rules (generic rules are not among them).
fn providers() -> std::collections::HashMap<String, String> {
    keytrace::rules::embedded_rules()
        .expect("embedded rules parse")
        .into_iter()
        .map(|r| (r.id, r.provider))
        .collect()
}

#[test]
fn each_provider_line_is_reported_by_its_rule() {
    let fx = Fixture::new();
    for (i, (_, text)) in FOUND.iter().enumerate() {
        fx.write(&format!("found/case{i:02}.txt"), format!("{text}\n"));
    }
    let found = scan(&fx);
    let missing: Vec<String> = FOUND
        .iter()
        .enumerate()
        .filter(|(i, (rule, _))| {
            let path = format!("found/case{i:02}.txt");
            !found.iter().any(|(p, r)| *p == path && r == rule)
        })
        .map(|(i, (rule, text))| format!("case{i:02} {rule}: {text}"))
        .collect();
    assert!(missing.is_empty(), "not reported:\n{}", missing.join("\n"));
}

#[test]
fn identifiers_and_references_under_key_names_are_not_keys() {
    let fx = Fixture::new();
    for (i, (_, key, identifier)) in TWINS.iter().enumerate() {
        fx.write(&format!("twins/key{i:02}.txt"), format!("{key}\n"));
        fx.write(&format!("twins/ident{i:02}.txt"), format!("{identifier}\n"));
    }
    let found = scan(&fx);
    let providers = providers();
    for (i, (rule, key, identifier)) in TWINS.iter().enumerate() {
        let key_path = format!("twins/key{i:02}.txt");
        assert!(
            found.iter().any(|(p, r)| *p == key_path && r == rule),
            "{rule} misses the key line: {key}"
        );
        let provider = providers
            .get(*rule)
            .unwrap_or_else(|| panic!("no embedded rule {rule}"));
        let ident_path = format!("twins/ident{i:02}.txt");
        let wrong: Vec<&String> = found
            .iter()
            .filter(|(p, r)| *p == ident_path && providers.get(r) == Some(provider))
            .map(|(_, r)| r)
            .collect();
        assert!(
            wrong.is_empty(),
            "{wrong:?} took an identifier for a key: {identifier}"
        );
    }
}
