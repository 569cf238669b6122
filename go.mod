module github.com/userd/userd

go 1.26.8
