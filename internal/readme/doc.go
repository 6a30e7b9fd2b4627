// Package readme holds the test that keeps the repository's README true:
// every Go snippet in it compiles against the library as it is.
package readme
