// Package userimport reads user import files (JSON Lines and CSV whose
// header names native fields) and imports them through the Service in
// batches, keeping the good lines and reporting each bad one. The userd
// user import command and the console's import page share it.
package userimport
