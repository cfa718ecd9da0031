fn main() -> std::process::ExitCode {
    softpower::cli::main()
}
