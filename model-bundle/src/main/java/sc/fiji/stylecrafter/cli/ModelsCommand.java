package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import sc.fiji.stylecrafter.model.Catalogue;
import sc.fiji.stylecrafter.download.DownloadCancelledException;
import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.model.ModelFolder;
import sc.fiji.stylecrafter.setup.ModelSetup;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.model.ModelFolderCheck;

/**
 * {@code stylecrafter models status|verify|download [--dir DIR] [--accept-licences]}: sets up and checks a model folder
 * ({@code $STYLECRAFTER_MODELS} or {@code ~/.stylecrafter/models} unless {@code --dir} says otherwise).
 * <ul>
 * <li>{@code status}: each file against the official catalogue (size, remembered SHA-256), then the checks loading
 * runs (files recognised by content, config.json against the weights); exit 0 when the folder can be loaded.</li>
 * <li>{@code verify}: hashes every file not verified yet; exit 0 when all five are the official files.</li>
 * <li>{@code download}: fetches what is missing (resuming partial files), after the licence terms were accepted once
 * ({@code --accept-licences}).</li>
 * </ul>
 */
final class ModelsCommand {

	static final String USAGE = "usage: stylecrafter models status|verify|download [--dir DIR] [--accept-licences]";

	private ModelsCommand() {}

	static int run(String[] args, PrintStream out, PrintStream err) {
		return run(args, out, err, Catalogue.OFFICIAL);
	}

	static int run(String[] args, PrintStream out, PrintStream err, Catalogue catalogue) {
		if (args.length == 0) {
			err.println(USAGE);
			return 2;
		}
		Path dir = ModelSetup.defaultFolder();
		boolean accept = false;
		for (int i = 1; i < args.length; i++) {
			switch (args[i]) {
				case "--dir":
					if (i + 1 >= args.length) {
						err.println("stylecrafter models: --dir needs a folder");
						return 2;
					}
					dir = Path.of(args[++i]);
					break;
				case "--accept-licences": accept = true; break;
				default:
					if (i == 1 && !args[i].startsWith("--")) { // the older form: models status DIR
						dir = Path.of(args[i]);
						break;
					}
					err.println("stylecrafter models: unknown option '" + args[i] + "'\n" + USAGE);
					return 2;
			}
		}
		try {
			switch (args[0]) {
				case "status": return status(catalogue, dir, out, err);
				case "verify": return verify(catalogue, dir, out, err);
				case "download": return download(catalogue, dir, accept, out, err);
				default:
					err.println("stylecrafter models: unknown action '" + args[0] + "'\n" + USAGE);
					return 2;
			}
		}
		catch (DownloadCancelledException e) {
			err.println("stylecrafter models: " + InspectCommand.oneLine(e.getMessage()));
			return 1;
		}
		catch (IOException e) {
			err.println("stylecrafter models: " + e.getMessage());
			return 1;
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			err.println("stylecrafter models: interrupted");
			return 1;
		}
	}

	private static int status(Catalogue catalogue, Path dir, PrintStream out, PrintStream err) throws IOException {
		out.println("model folder " + dir.toAbsolutePath());
		List<ModelSetup.FileStatus> files = ModelSetup.status(catalogue, dir);
		for (ModelSetup.FileStatus s : files) out.println("  " + s);
		for (String line : ModelFolder.locate(dir).found()) out.println("  " + line);
		List<String> problems = ModelFolderCheck.check(dir);
		if (problems.isEmpty()) {
			boolean official = files.stream().allMatch(s -> s.state() == ModelSetup.State.VERIFIED);
			out.println("loading check: usable" + (official ? "" : files.stream().allMatch(ModelSetup.FileStatus::usable)
				? " (run 'stylecrafter models verify' to check the SHA-256 of the files)" : " (not the official files: a custom or test model)"));
			return 0;
		}
		for (String p : problems) err.println("loading check: " + InspectCommand.oneLine(p));
		err.println("to set the folder up: stylecrafter models download --dir " + dir + " (or place the files by hand, see docs/models.md)");
		return 1;
	}

	private static int verify(Catalogue catalogue, Path dir, PrintStream out, PrintStream err) throws IOException {
		long[] lastPrint = { 0 };
		List<ModelSetup.FileStatus> files = ModelSetup.verify(catalogue, dir, (name, done, total) -> {
			long now = System.nanoTime();
			if (now - lastPrint[0] > 1_000_000_000L || done == total) {
				lastPrint[0] = now;
				err.printf(Locale.ROOT, "hashing %s: %.0f%%%n", name, 100.0 * done / Math.max(1, total));
			}
		}, CancellationToken.NEVER);
		for (ModelSetup.FileStatus s : files) out.println("  " + s);
		return files.stream().allMatch(s -> s.state() == ModelSetup.State.VERIFIED) ? 0 : 1;
	}

	private static int download(Catalogue catalogue, Path dir, boolean accept, PrintStream out, PrintStream err) throws IOException, InterruptedException {
		if (!ModelSetup.licencesAccepted(dir, catalogue)) {
			if (!accept) {
				err.println(ModelSetup.licenceText(catalogue));
				err.println("To accept these terms and download, run again with --accept-licences.");
				return 2;
			}
			ModelSetup.acceptLicences(dir, catalogue);
		}
		out.printf(Locale.ROOT, "downloading into %s (%.2f GB in all; files already verified are skipped)%n", dir.toAbsolutePath(), catalogue.totalBytes() / 1e9);
		ModelSetup.download(catalogue, dir, new Downloader(Downloader.Options.defaults()), RuntimeCommand.progress(err), CancellationToken.NEVER);
		out.println("model folder ready: " + dir.toAbsolutePath());
		return 0;
	}
}
