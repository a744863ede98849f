// Package secret is tpgen's one credential detector. It is not a stage
// of the pipeline but a library that three places use alike, so that
// what they call a secret cannot disagree:
//
//   - the profile loader (render/profile): no secret value is accepted in
//     a profile (a URL with userinfo, a credential-named annotation or
//     parameter, a PEM private key);
//   - the validation stage (render/validate): no rendered object carries
//     a credential (check credential-in-config);
//   - the review diff (render/diff): no credential is printed.
//
// In: a value and where it sits (Path: the map keys and list items from
// the object's root), or a whole decoded document (Scan). Out: the reason
// the value is a credential, which never contains the value itself, or
// "" when it is not one.
//
// What it finds (Check), in every string of every object:
//   - a URL with userinfo: user:password@ in any scheme, and any userinfo
//     in http(s), ws(s) and ftp(s) URLs, where it can only be a login or a
//     token (ssh://git@host and git@host:path name a login user and pass);
//   - a PEM private key block (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP), and
//     a DER private key in base64;
//   - a literal value under a key, or in an env-like {name, value} entry,
//     named like a credential (IsCredentialName: password, passwd, pwd,
//     pass and pw as words, secret, token, API, access, secret, private,
//     client and signing keys, credentials, auth, bearer...), except the
//     names of references and settings about a credential (secretName,
//     secretRef, existingSecret, passwordSecretKey, DB_PASSWORD_FILE,
//     tokenTTL, valueFrom...) and placeholders (${VAR}, $(VAR), {{ }},
//     a file path, booleans);
//   - an Authorization header value (Bearer or Basic with a token) and a
//     JSON Web Token;
//   - the same, recursively, inside embedded documents: JSON, YAML (a
//     kubeconfig's client-key-data, token and password are names), Java
//     .properties, INI and env files (key=value and key: value lines,
//     export KEY=value), XML elements, query strings and command-line
//     flags (--password=x, or --password x in an argument list), and
//     base64 values whose decoded text holds one (ConfigMap binaryData).
//
// Hide is the broader rule of the review diff, which hides too much
// rather than too little: what Check finds, plus any value under a key
// that mentions a credential, any PEM block, cloud access key ids and
// long random tokens.
//
// It never prints, reads files or returns a value it was given.
//
// Concurrency: every function may be called from several goroutines.
package secret
