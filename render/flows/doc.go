// Package flows holds the network flow matrix of sites, the firewall
// request a network team needs before a site goes live (`tpgen flows`),
// and its difference between two revisions.
//
// In: flows as the schema computes them (the module's #Flows, evaluated by
// render/profile), one list per site. Out: flows sorted and de-duplicated,
// opened and closed flows between two sets, and the formats text,
// markdown, csv and json. Which ports a security mode opens, where
// backups go, and every other product fact live in the module's #Flows; this
// package only orders, compares and prints. It must not load profiles,
// read files or print except to the io.Writer it is given.
package flows
