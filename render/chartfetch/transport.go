package chartfetch

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// guard is the one transport every request goes through. It refuses plain
// HTTP except to loopback when allowed, and removes the Authorization
// header from any request not bound for credHost (host:port), a redirect
// or a token service on another host included. Go's client forwards the
// header on a redirect to the same host name on another port; guard does
// not.
type guard struct {
	base      http.RoundTripper
	credHost  string
	allowHTTP bool
}

func (g *guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := checkScheme(r.URL, g.allowHTTP); err != nil {
		return nil, err
	}
	if r.Header.Get("Authorization") != "" && hostPort(r.URL) != g.credHost {
		r = r.Clone(r.Context())
		r.Header.Del("Authorization")
	}
	return g.base.RoundTrip(r)
}

// checkScheme refuses anything but HTTPS, and plain HTTP unless allowed
// and bound for a loopback address.
func checkScheme(u *url.URL, allowHTTP bool) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if !allowHTTP {
			return fmt.Errorf("refusing plain HTTP to %s (credentials and charts would travel unencrypted)\nhint: use https://; plain HTTP is allowed to a loopback address only, with --allow-loopback-http", u.Host)
		}
		if !loopback(u.Hostname()) {
			return fmt.Errorf("refusing plain HTTP to %s: --allow-loopback-http allows loopback addresses only\nhint: use https://", u.Host)
		}
		return nil
	}
	return fmt.Errorf("refusing scheme %q (%s): want https", u.Scheme, u.Host)
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// client returns the HTTP client for one source: guarded, bounded in time,
// at most 10 redirects.
func (f *Fetcher) client(credHost string) *http.Client {
	base := f.opts.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{
		Transport: &guard{base: base, credHost: credHost, allowHTTP: f.opts.AllowHTTP},
		Timeout:   f.opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return fmt.Errorf("stopped after 10 redirects")
			}
			return nil
		},
	}
}
