package main

func Example() {
	main()
	// Output:
	// zero: 0
	// even: 0
	// even: 2
	// even: 4
}
