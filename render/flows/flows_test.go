package flows

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeMergesOneRule(t *testing.T) {
	in := []Flow{
		{Site: "b", Direction: "outbound", From: "cluster", To: "x", Protocol: "TCP", Port: 443, Service: "HTTPS", Purpose: "connector a"},
		{Site: "a", Direction: "inbound", From: "users", To: "lb", Protocol: "TCP", Port: 443, Service: "HTTPS", Purpose: "GUI"},
		{Site: "b", Direction: "outbound", From: "cluster", To: "x", Protocol: "TCP", Port: 443, Service: "HTTPS", Purpose: "connector b"},
	}
	got := Normalize(in)
	require.Len(t, got, 2)
	require.Equal(t, "a", got[0].Site)
	require.Equal(t, "connector a; connector b", got[1].Purpose)
	require.Equal(t, "HTTPS", got[1].Service)
}

func TestDiffOpenedAndClosed(t *testing.T) {
	f := func(port int, purpose string) Flow {
		return Flow{Site: "s", Direction: "inbound", From: "base stations", To: "lb", Protocol: "TCP", Port: port, Service: "x", Purpose: purpose}
	}
	old := []Flow{f(2022, "ssh"), f(3001, "tls")}
	now := []Flow{f(2022, "ssh, reworded"), f(2404, "clear")}
	got := Diff(old, now)
	require.Equal(t, []Change{{Op: "opened", Flow: f(2404, "clear")}, {Op: "closed", Flow: f(3001, "tls")}}, got)

	for _, format := range []string{FormatText, FormatMarkdown, FormatCSV, FormatJSON} {
		var b bytes.Buffer
		require.NoError(t, WriteDiff(&b, format, "old", "new", got))
		require.Contains(t, b.String(), "2404", format)
		require.Contains(t, b.String(), "opened", format)
	}
	var b bytes.Buffer
	require.NoError(t, WriteDiff(&b, FormatText, "a", "b", nil))
	require.Equal(t, "Comparing the flows of a with b.\n0 flow(s) opened, 0 closed.\n", b.String())
	require.Error(t, WriteDiff(&b, "yaml", "a", "b", nil))
}

func TestCSVQuotes(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Write(&b, FormatCSV, []Flow{{Site: "s", Direction: "outbound", From: "cluster", To: "h", Protocol: "TCP", Port: 443, Service: "HTTPS", Purpose: "images, catalogs"}}, nil))
	require.Equal(t, "site,direction,from,to,protocol,port,service,purpose\ns,outbound,cluster,h,TCP,443,HTTPS,\"images, catalogs\"\n", b.String())
	b.Reset()
	require.NoError(t, Write(&b, FormatMarkdown, []Flow{{Site: "s", Direction: "inbound", From: "a|b", To: "h", Protocol: "TCP", Port: 1}}, []string{"n"}))
	require.True(t, strings.Contains(b.String(), `a\|b`))
}
