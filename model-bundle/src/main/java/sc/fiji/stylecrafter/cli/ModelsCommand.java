package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.download.HuggingFaceEndpoint;
import sc.fiji.stylecrafter.model.Catalogue;
import sc.fiji.stylecrafter.model.ModelFolder;
import sc.fiji.stylecrafter.model.ModelFolderCheck;
import sc.fiji.stylecrafter.setup.ModelSetup;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.cli.base.Terminal;

/**
 * {@code stylecrafter models status|verify|download [--dir DIR] [--accept-licences] [--endpoint URL] [--from DIR]}: the model folder
 * ({@code $STYLECRAFTER_MODELS} or {@code ~/.stylecrafter/models} unless {@code --dir} says otherwise).
 * <ul>
 * <li>{@code status}: each file against the official catalogue (size, remembered SHA-256), then the checks loading
 * runs (files recognised by content, config.json against the weights); exit 0 when the folder can be loaded.</li>
 * <li>{@code verify}: hashes every file not verified yet; exit 0 when all five are the official files.</li>
 * <li>{@code download}: fetches what is missing (resuming partial files), after the licence terms were accepted once
 * ({@code --accept-licences}); from a Hugging Face mirror with {@code --endpoint} (or {@code HF_ENDPOINT}), or copied
 * from a folder of files downloaded elsewhere with {@code --from}.</li>
 * </ul>
 */
@Command(name = "models", mixinStandardHelpOptions = true, description = "The model folder: status, verify, download.",
	subcommands = { ModelsCommand.Status.class, ModelsCommand.Verify.class, ModelsCommand.Download.class })
final class ModelsCommand extends CliCommand {

	private final Catalogue catalogue;
	private final Downloader.Options options;

	ModelsCommand() {
		this(Catalogue.OFFICIAL, Downloader.Options.defaults());
	}

	/**
	 * @param catalogue where the files come from (the official addresses; a local server in tests)
	 * @param options how to download (the defaults read HF_TOKEN and HF_ENDPOINT; tests set them)
	 */
	ModelsCommand(Catalogue catalogue, Downloader.Options options) {
		this.catalogue = catalogue;
		this.options = options;
	}

	/** Runs {@code models ...} over another catalogue (tests). */
	static int run(String[] args, PrintStream out, PrintStream err, Catalogue catalogue) {
		return run(args, out, err, catalogue, Downloader.Options.defaults());
	}

	/** Runs {@code models ...} over another catalogue with other download options (tests). */
	static int run(String[] args, PrintStream out, PrintStream err, Catalogue catalogue, Downloader.Options options) {
		return Main.commandLine(new ModelsCommand(catalogue, options), out, err).execute(args);
	}

	/** No action: the usage, exit 2. */
	@Override
	public Integer call() {
		return usage();
	}

	/** An action on the folder; failures of the folder's files are one line, exit 1. */
	abstract static class Action extends CliCommand {

		@ParentCommand
		ModelsCommand parent;

		@Option(names = "--dir", paramLabel = "DIR", description = "The model folder (default: $STYLECRAFTER_MODELS or ~/.stylecrafter/models).")
		Path dir;

		Path dir() {
			return dir != null ? dir : ModelSetup.defaultFolder();
		}

		@Override
		public Integer call() {
			return guarded(() -> {
				if (Files.isRegularFile(dir())) return failed("the model folder " + dir() + " is a file, not a folder; give a folder with --dir");
				return act(parent.catalogue, dir());
			});
		}

		abstract int act(Catalogue catalogue, Path dir) throws IOException, InterruptedException;
	}

	@Command(name = "status", mixinStandardHelpOptions = true, description = "Each file, and whether the folder loads.")
	static final class Status extends Action {

		@Parameters(arity = "0..1", paramLabel = "DIR", description = "The folder (the older form of --dir).")
		Path positional;

		@Override
		int act(Catalogue catalogue, Path folder) throws IOException {
			if (positional != null) folder = positional;
			if (!Files.isDirectory(folder)) {
				return failed("the model folder " + folder + (Files.exists(folder) ? " is a file, not a folder" : " does not exist")
					+ "; set it up with: stylecrafter models download --dir " + folder);
			}
			out().println("model folder " + folder.toAbsolutePath());
			List<ModelSetup.FileStatus> files = ModelSetup.status(catalogue, folder);
			for (ModelSetup.FileStatus s : files) out().println("  " + s);
			for (String line : ModelFolder.locate(folder).found()) out().println("  " + line);
			List<String> problems = ModelFolderCheck.check(folder);
			if (problems.isEmpty()) {
				boolean official = files.stream().allMatch(s -> s.state() == ModelSetup.State.VERIFIED);
				out().println("loading check: usable" + (official ? "" : files.stream().allMatch(ModelSetup.FileStatus::usable)
					? " (run 'stylecrafter models verify' to check the SHA-256 of the files)" : " (not the official files: a custom or test model)"));
				return 0;
			}
			for (String p : problems) err().println("loading check: " + oneLine(p));
			err().println("to set the folder up: stylecrafter models download --dir " + folder + " (or place the files by hand, see docs/models.md)");
			return 1;
		}
	}

	@Command(name = "verify", mixinStandardHelpOptions = true, description = "Hashes every file not verified yet; exit 0 when all are the official files.")
	static final class Verify extends Action {

		@Override
		int act(Catalogue catalogue, Path folder) throws IOException {
			long[] lastPrint = { 0 };
			List<ModelSetup.FileStatus> files = ModelSetup.verify(catalogue, folder, (name, done, total) -> {
				long now = System.nanoTime();
				if (now - lastPrint[0] > 1_000_000_000L || done == total) {
					lastPrint[0] = now;
					err().printf(Locale.ROOT, "hashing %s: %.0f%%%n", name, 100.0 * done / Math.max(1, total));
				}
			}, CancellationToken.NEVER);
			for (ModelSetup.FileStatus s : files) out().println("  " + s);
			return files.stream().allMatch(s -> s.state() == ModelSetup.State.VERIFIED) ? 0 : 1;
		}
	}

	@Command(name = "download", mixinStandardHelpOptions = true, description = "Fetches what the folder lacks (11 GB in all), resuming partial files.")
	static final class Download extends Action {

		@Option(names = "--accept-licences", description = "Accept the licence terms of the weights (shown without this option).")
		boolean accept;

		@Option(names = "--endpoint", paramLabel = "URL", description = "A Hugging Face mirror to download from, such as https://hf-mirror.com "
			+ "(default: $HF_ENDPOINT, else huggingface.co); it receives $HF_TOKEN if set.")
		String endpoint;

		@Option(names = "--from", paramLabel = "DIR", description = "Copy the files from this folder of files downloaded elsewhere (each checked by "
			+ "its SHA-256) instead of downloading them.")
		Path from;

		@Override
		int act(Catalogue catalogue, Path folder) throws IOException, InterruptedException {
			if (!ModelSetup.licencesAccepted(folder, catalogue)) {
				if (!accept) {
					err().println(ModelSetup.licenceText(catalogue));
					err().println("To accept these terms and download, run again with --accept-licences.");
					return 2;
				}
				ModelSetup.acceptLicences(folder, catalogue);
			}
			URI mirror = endpoint != null && !endpoint.isBlank() ? HuggingFaceEndpoint.parse(endpoint, "--endpoint") : HuggingFaceEndpoint.fromEnvironment();
			Catalogue files = mirror == null ? catalogue : catalogue.withEndpoint(mirror);
			Downloader.Options options = mirror == null ? parent.options : parent.options.withEndpoint(mirror);
			if (from != null) out().printf(Locale.ROOT, "copying into %s from %s (files already verified are skipped)%n", folder.toAbsolutePath(), from.toAbsolutePath());
			else out().printf(Locale.ROOT, "downloading into %s%s (%.2f GB in all; files already verified are skipped)%n", folder.toAbsolutePath(),
				mirror == null ? "" : " from the mirror " + mirror, catalogue.totalBytes() / 1e9);
			ModelSetup.download(files, folder, new Downloader(options), from, Terminal.downloadProgress(err()), CancellationToken.NEVER);
			out().println("model folder ready: " + folder.toAbsolutePath());
			return 0;
		}
	}
}
