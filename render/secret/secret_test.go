package secret

import (
	"encoding/base64"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const pemKey = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n"

// A PKCS#8 Ed25519 private key (RFC 8410 test vector), DER in base64.
const derKey = "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC"

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://k8s.example.net"}
users:
- name: admin
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==
contexts:
- name: c
  context: {cluster: c, user: admin}
`

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func doc(t *testing.T, s string) any {
	t.Helper()
	var d any
	if err := yaml.Unmarshal([]byte(s), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// Every hostile form must be found, at the right path, and the reason
// must never hold the value.
func TestScanFindsCredentials(t *testing.T) {
	tests := []struct {
		name, obj, path, value string
	}{
		{"env DB_PASS", `spec: {containers: [{name: app, env: [{name: MODE, value: prod}, {name: DB_PASS, value: hunter2}]}]}`, "spec.containers[0].env[1].value", "hunter2"},
		{"env MYSQL_PW", `env: [{name: MYSQL_PW, value: hunter2}]`, "env[0].value", "hunter2"},
		{"env PGPASSWORD fused", `env: [{name: PGPASSWORD, value: hunter2}]`, "env[0].value", "hunter2"},
		{"env DBPassword camel", `env: [{name: DBPassword, value: hunter2}]`, "env[0].value", "hunter2"},
		{"env AWS secret key", `env: [{name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMIK7MDENG}]`, "env[0].value", "wJalrXUtnFEMIK7MDENG"},
		{"env API key", `env: [{name: APIKey, value: k-123}]`, "env[0].value", "k-123"},
		{"env bearer", `env: [{name: BEARER, value: abcdef}]`, "env[0].value", "abcdef"},
		{"configmap entry", `data: {smtpPassword: hunter2}`, "data[smtpPassword]", "hunter2"},
		{"a password beside a remoteRef", `spec: {data: [{remoteRef: {key: k}, password: hunter2}]}`, "spec.data[0].password", "hunter2"},
		{"configmap client secret", `data: {client-secret: hunter2}`, "data[client-secret]", "hunter2"},
		{"numeric pin", `data: {PIN_SECRET: "9999"}`, "data[PIN_SECRET]", "9999"},
		{"custom resource field", `spec: {kafka: {config: {ssl.truststore.password: hunter2}}}`, "spec.kafka.config[ssl.truststore.password]", "hunter2"},
		{"URL with a password, postgres", `data: {DSN: "postgres://app:hunter2@db:5432/app"}`, "data[DSN]", "hunter2"},
		{"URL with a password, empty user", `spec: {url: "redis://:hunter2@redis:6379"}`, "spec.url", "hunter2"},
		{"https URL with a token as user", `spec: {repo: "https://ghp_abcdef0123456789@github.com/o/r.git"}`, "spec.repo", "ghp_abcdef0123456789"},
		{"URL with a password inside a text", `args: ["--broker=amqp://u:hunter2@mq/vhost"]`, "args[0]", "hunter2"},
		{"PEM key in an annotation", "metadata: {annotations: {example.com/key: \"" + strings.ReplaceAll(pemKey, "\n", `\n`) + "\"}}", "metadata.annotations[example.com/key]", "MIIBOgIBAAJBAKj34"},
		{"PEM key in binaryData", `binaryData: {tls.key: ` + b64(pemKey) + `}`, "binaryData[tls.key]", b64(pemKey)},
		{"DER key in binaryData", `binaryData: {key.der: ` + derKey + `}`, "binaryData[key.der]", derKey},
		{"password in binaryData properties", `binaryData: {app.properties: ` + b64("db.user=tpe\ndb.password=hunter2\n") + `}`, "binaryData[app.properties]", "hunter2"},
		{"JSON in a ConfigMap", `data: {config.json: "{\"db\": {\"host\": \"db\", \"password\": \"hunter2\"}}"}`, "data[config.json]", "hunter2"},
		{"JSON nested without quotes on one line", `data: {config.json: "{\"db\":{\"auth\":{\"token\":\"hunter2\"}}}"}`, "data[config.json]", "hunter2"},
		{"properties", "data: {app.properties: \"db.host=db\\ndb.password=hunter2\\n\"}", "data[app.properties]", "hunter2"},
		{"INI", "data: {app.ini: \"[db]\\nhost = db\\npassword = hunter2\\n\"}", "data[app.ini]", "hunter2"},
		{"env file", "data: {app.env: \"MODE=prod\\nexport DB_PASS=hunter2\\n\"}", "data[app.env]", "hunter2"},
		{"embedded YAML", "data: {config.yaml: \"db:\\n  credentials:\\n    user: tpe\\n    pw: hunter2\\n\"}", "data[config.yaml]", "hunter2"},
		{"kubeconfig", "", "data[kubeconfig]", "LS0tLS1CRUdJTiBSU0Eg"},
		{"kubeconfig token", "data: {config: \"users:\\n- name: a\\n  user:\\n    token: hunter2\\n\"}", "data[config]", "hunter2"},
		{"XML", "data: {server.xml: \"<db>\\n  <password>hunter2</password>\\n</db>\\n\"}", "data[server.xml]", "hunter2"},
		{"query string", `data: {URL: "https://api.example.net/v1?x=1&api_key=hunter2"}`, "data[URL]", "hunter2"},
		{"flag with =", `args: ["--db-password=hunter2"]`, "args[0]", "hunter2"},
		{"flag then value", `args: ["--password", "hunter2"]`, "args[1]", "hunter2"},
		{"authorization header", `metadata: {annotations: {nginx.ingress.kubernetes.io/auth-headers: "Authorization: Bearer abcdefgh12345678"}}`, "metadata.annotations[nginx.ingress.kubernetes.io/auth-headers]", "abcdefgh12345678"},
		{"JWT", `data: {id: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0cGUifQ.c2lnbmF0dXJl"}`, "data[id]", "eyJhbGciOiJIUzI1NiJ9"},
		{"docker config auth", `data: {.dockerconfigjson: "{\"auths\":{\"r.example.net\":{\"auth\":\"dXNlcjpodW50ZXIy\"}}}"}`, "data[.dockerconfigjson]", "dXNlcjpodW50ZXIy"},
		{"client secret annotation", `metadata: {annotations: {example.com/client-secret: s3cr3t}}`, "metadata.annotations[example.com/client-secret]", "s3cr3t"},
		{"lone word in a secret annotation", `metadata: {annotations: {example.com/auth-secret: hunter2}}`, "metadata.annotations[example.com/auth-secret]", "hunter2"},
		{"a lone word under secret", `spec: {secret: hunter2}`, "spec.secret", "hunter2"},
		{"a JWT secret that looks like a name", `spec: {jwtSecret: my-jwt-secret}`, "spec.jwtSecret", "my-jwt-secret"},
		{"storage account key", `env: [{name: AZURE_STORAGE_KEY, value: abc}]`, "env[0].value", "abc"},
		{"userinfo without a scheme", `data: {HTTPS_PROXY: "proxyuser:hunter2@proxy.example.net:3128"}`, "data[HTTPS_PROXY]", "hunter2"},
		{"npmrc auth token after a colon", "data: {.npmrc: \"registry=https://registry.example.net/\\n//registry.example.net/:_authToken=hunter2\\n\"}", "data[.npmrc]", "hunter2"},
		{"flag then value in a shell command", `command: ["sh", "-c", "exec mysqldump -h db --db-password hunter2 app"]`, "command[2]", "hunter2"},
		{"quoted flag value in a script", "data: {run.sh: \"#!/bin/sh\\nexec app --api-token 'hunter2' --port 80\\n\"}", "data[run.sh]", "hunter2"},
		{"a one-line password file", `data: {password.txt: "hunter2\n"}`, "data[password.txt]", "hunter2"},
		{"a credential in a file named like one", "data: {credentials.properties: \"user=tpe\\npassword=hunter2\\n\"}", "data[credentials.properties]", "hunter2"},
		{"a number under a credential name", `spec: {auth: {user: tpe, password: 86753091}}`, "spec.auth.password", "86753091"},
		{"a GitHub token in a plain field", `spec: {ref: {branch: ghp_hunter2abcdefghijklmnopqrstuvwxyz0123}}`, "spec.ref.branch", "ghp_hunter2"},
		{"a Slack token in an annotation", `metadata: {annotations: {example.com/notify: "xoxb-hunter2-0123456789"}}`, "metadata.annotations[example.com/notify]", "xoxb-hunter2"},
		{"base64 of a properties file in an annotation", `metadata: {annotations: {x: ` + b64("user=a\npassword=hunter2\n") + `}}`, "metadata.annotations[x]", "hunter2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := doc(t, tc.obj)
			if tc.obj == "" {
				d = map[string]any{"data": map[string]any{"kubeconfig": kubeconfig}}
			}
			fs := Scan(d)
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1: %v", len(fs), fs)
			}
			if got := fs[0].Path.String(); got != tc.path {
				t.Errorf("path %q, want %q", got, tc.path)
			}
			if strings.Contains(fs[0].Reason, tc.value) || strings.Contains(fs[0].Reason, "hunter2") {
				t.Errorf("the reason %q holds the value", fs[0].Reason)
			}
			if !Hide(fs[0].Path, "x") && Check(fs[0].Path, "hunter2") != "" {
				t.Errorf("Hide does not hide what Check finds at %s", fs[0].Path)
			}
		})
	}
}

// Look-alikes are not credentials: references, settings about a
// credential, placeholders.
func TestScanLeavesLookAlikes(t *testing.T) {
	for _, obj := range []string{
		`spec: {tls: [{secretName: tpe-tls, hosts: [a.example.net]}]}`,
		`spec: {existingSecret: tpe-db, passwordSecretKey: db-password, existingSecretPasswordKey: password, passwordKey: pw, tokenSecretKey: token}`,
		`env: [{name: DB_PASSWORD_FILE, value: /run/secrets/db}, {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}]`,
		`env: [{name: TOKEN_PATH, value: "tokens/x"}, {name: AWS_ACCESS_KEY_ID, value: AKIAIOSFODNN7EXAMPLE}, {name: SMTP_AUTH, value: "true"}]`,
		`env: [{name: DB_PASS, value: "$(DB_PASS_FROM_SECRET)"}, {name: API_TOKEN, value: "${API_TOKEN}"}]`,
		`spec: {tokenTTL: 10m, tokenExpiry: 1h, passwordLength: "16", authType: basic, authMethod: oidc, passwordPolicy: strong}`,
		`spec: {privateKeySecretRef: {name: acme-account, key: tls.key}, secretRef: {name: x}, credentialsSecretRef: {name: y}}`,
		`spec: {authentication: {type: scram-sha-512, passwordSecret: {secretName: user-pw, password: password}}}`,
		`spec: {secrets: {users: mongo-secrets}, imagePullSecrets: [{name: regcred}], automountServiceAccountToken: false}`,
		`data: {BACKUP_CREDENTIALS_MODE: node-role, SMTP_USER: tpe, USERNAME: admin}`,
		`data: {repo: "ssh://git@git.example.net/platform/deploy.git", scp: "git@git.example.net:platform/deploy.git", url: "https://git.example.net/x.git"}`,
		`data: {mail: "mailto:ops@example.net", image: "registry.example.net/app@sha256:3f2a9c0e7d2b1a4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5"}`,
		`data: {ca.crt: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}`,
		`spec: {description: "password: the password of the user, in the Secret"}`,
		`data: {app.properties: "db.host=db\ndb.password=${DB_PASSWORD}\ndb.user=tpe\n", app.ini: "[auth]\nenabled = true\ntoken_ttl = 10m\n"}`,
		`binaryData: {logo.png: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==}`,
		`metadata: {annotations: {nginx.ingress.kubernetes.io/ssl-passthrough: "true", nginx.ingress.kubernetes.io/auth-type: basic, nginx.ingress.kubernetes.io/auth-secret: basic-auth, tpgen.dev/creates-secrets: "a-tls,b-creds"}}`,
		`spec: {tlsSecret: tpe-tls, credentialsSecret: velero-creds, registrySecret: kube-system/regcred}`,
		`args: ["--password-file", "/run/secrets/pw", "--token-ttl", "10m", "--verbose"]`,
		`data: {image: "registry.example.net/app:1.25@sha256:3f2a9c0e7d2b1a4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5", contact: "sip:ops@example.net", chat: "xmpp:ops@example.net"}`,
		`data: {run.sh: "exec app --password-file /run/secrets/pw --token-ttl 10m --auth-type basic --tokens $TOKENS --no-auth --secret-name tpe-db"}`,
		`metadata: {annotations: {nginx.ingress.kubernetes.io/auth-realm: "Authentication Required - tpe", nginx.ingress.kubernetes.io/auth-response-headers: "X-Auth-Request-User, Authorization", nginx.ingress.kubernetes.io/auth-signin: "https://auth.example.net/oauth2/start?rd=$escaped_request_uri", nginx.ingress.kubernetes.io/auth-request-redirect: "https://tpe.example.net/", nginx.ingress.kubernetes.io/auth-cache-key: "$remote_user$http_authorization", nginx.ingress.kubernetes.io/auth-tls-verify-client: "on", nginx.ingress.kubernetes.io/auth-tls-verify-depth: "1", nginx.ingress.kubernetes.io/auth-tls-error-page: "https://tpe.example.net/error", nginx.ingress.kubernetes.io/auth-keepalive: "10", nginx.ingress.kubernetes.io/auth-snippet: "proxy_set_header X-Tenant tpe;"}}`,
		"data: {auth.properties: \"auth.type=oidc\\nauth.token.ttl=3600\\npassword.min.length=12\\n\", credentials.json: \"{\\\"type\\\": \\\"external_account\\\", \\\"audience\\\": \\\"x\\\"}\\n\"}",
		`spec: {tokenTTL: 3600, maxTokens: 5000, passwordLength: 16, auth: {enabled: true, port: 8443}, pin: 12}`,
		// The real charts of thinkube-core: checksum annotations, a
		// redis-cli switch, the user of a credential, a commented example
		// whose value says it is a placeholder.
		`metadata: {annotations: {checksum/secret: 3f2a9c0e7d2b1a4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5, checksum/secret-core: 0d2b1a4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c53f2a9c0e7}}`,
		`data: {redis_liveness.sh: "response=$(redis-cli -a \"${AUTH}\" --no-auth-warning -h localhost ping)\n", REGISTRY_CREDENTIAL_USERNAME: harbor_registry_user}`,
		`data: {config.yml: "http:\n  addr: :5000\n  # secret: placeholder\n", other.yml: "secret: <placeholder>\n"}`,
		// Secrets the platform delivers (issue 11): an ExternalSecret's data
		// items name keys, a SealedSecret's values are ciphertext.
		`spec: {data: [{secretKey: password, remoteRef: {key: tpe/smtp, property: password}}, {secretKey: api-token, remoteRef: {key: tpe/api}}]}`,
		`spec: {encryptedData: {password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq, token: AgCx8v2PmQ1Lz9e0rT5uW7yB4nD6fH8j}}`,
	} {
		if fs := Scan(doc(t, obj)); len(fs) > 0 {
			t.Errorf("%s: found %v", obj, fs)
		}
	}
}

func TestCredentialNames(t *testing.T) {
	for name, want := range map[string]bool{
		"DB_PASS": true, "MYSQL_PW": true, "PGPASSWORD": true, "mysqlRootPassword": true, "client-key-data": true,
		"token": true, "id-token": true, "refresh-token": true, "apiKey": true, "api_key": true, "X-API-KEY": true,
		"AWS_SECRET_ACCESS_KEY": true, "secretKey": true, "privateKey": true, "private_key": true, "credentials": true,
		"basicAuth": true, "Authorization": true, "accountKey": true, "SAS_TOKEN": true, "connectionString": true,
		"secretName": false, "secretRef": false, "existingSecret": false, "passwordSecretKey": false,
		"DB_PASSWORD_FILE": false, "valueFrom": false, "tokenTTL": false, "AWS_ACCESS_KEY_ID": false,
		"ssl-passthrough": false, "bypass": false, "username": false, "keyFile": false, "key": false,
		"passwordKey": false, "client-certificate-data": false, "SMTP_USER": false,
		"nginx.ingress.kubernetes.io/auth-realm": false, "auth-tls-verify-depth": false, "auth-cache-key": false,
		"CACHE_PASSWORD": true, "UPSTREAM_TOKEN": true, "VERIFY_TOKEN": true, "auth-cache-password": true, "auth": true,
		// The real charts of the thinkube-core module: a digest of a
		// Secret's template, a redis-cli switch, the user of a credential.
		"checksum/secret": false, "checksum/secret-jobservice": false, "checksum/secrets": false,
		"no-auth-warning": false, "REGISTRY_CREDENTIAL_USERNAME": false, "credentials.user": false,
		"checksum-password": false, "CREDENTIAL_PASSWORD": true, "user-password": true, "userToken": true,
	} {
		if got := IsCredentialName(name); got != want {
			t.Errorf("IsCredentialName(%q) = %v, want %v", name, got, want)
		}
	}
}
