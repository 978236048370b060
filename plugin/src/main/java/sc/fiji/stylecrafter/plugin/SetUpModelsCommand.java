package sc.fiji.stylecrafter.plugin;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import org.scijava.ItemIO;
import org.scijava.ItemVisibility;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.task.TaskService;
import org.scijava.widget.FileWidget;

import sc.fiji.stylecrafter.model.Catalogue;
import sc.fiji.stylecrafter.download.DownloadCancelledException;
import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.download.HuggingFaceEndpoint;
import sc.fiji.stylecrafter.setup.ModelSetup;

/**
 * Plugins > StyleCrafter > Set Up Models...: shows the licence terms of the model files, downloads what the folder
 * lacks (11 GB the first time; resumed where it stopped, each file checked by its SHA-256), with progress and time left
 * in the status bar and a cancellable task, and then uses the folder. A macro gives {@code folder} and
 * {@code accept=true}, and optionally {@code endpoint} (a Hugging Face mirror; default {@code HF_ENDPOINT}, else
 * huggingface.co) or {@code from} (a folder of files downloaded elsewhere, copied and checked instead of downloaded).
 */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Set Up Models...", weight = 21) }, headless = true)
public class SetUpModelsCommand extends ContextCommand implements MacroFriendly {

	@Parameter
	private StyleCrafterService service;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private TaskService tasks;

	@Parameter(required = false)
	private LogService log;

	@Parameter(visibility = ItemVisibility.MESSAGE, persist = false)
	private String terms = DialogText.html(ModelSetup.licenceText(Catalogue.OFFICIAL));

	@Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE, required = false, persist = false,
		description = "Where the model files go (about 11 GB); empty for the folder already set, or ~/.stylecrafter/models")
	private File folder;

	@Parameter(label = "I accept these licence terms", persist = false)
	private boolean accept;

	@Parameter(label = "Hugging Face mirror (optional)", required = false, persist = false,
		description = "A mirror to download from, such as https://hf-mirror.com; empty for HF_ENDPOINT, else huggingface.co")
	private String endpoint = "";

	@Parameter(label = "Copy from folder (optional)", style = FileWidget.DIRECTORY_STYLE, required = false, persist = false,
		description = "A folder of model files downloaded elsewhere: they are copied and checked instead of downloaded; empty to download")
	private File from;

	@Parameter(type = ItemIO.OUTPUT, label = "StyleCrafter model folder")
	private String report;

	@Override
	public void run() {
		Catalogue catalogue = service.catalogue();
		Path dir = folder != null && !folder.getPath().isBlank() ? folder.toPath()
			: service.modelFolderOrDefault();
		try {
			if (!ModelSetup.licencesAccepted(dir, catalogue)) {
				if (!accept) {
					fail("The licence terms of the model files were not accepted, so nothing was downloaded. " + ModelSetup.licenceText(catalogue));
					return;
				}
				ModelSetup.acceptLicences(dir, catalogue);
			}
			URI mirror = endpoint != null && !endpoint.isBlank() ? HuggingFaceEndpoint.parse(endpoint, "The mirror (endpoint)")
				: HuggingFaceEndpoint.fromEnvironment();
			Path source = from != null && !from.getPath().isBlank() ? from.toPath() : null;
			Downloader.Options options = Downloader.Options.defaults();
			if (mirror != null) {
				catalogue = catalogue.withEndpoint(mirror);
				options = options.withEndpoint(mirror);
			}
			try (FijiProgress progress = FijiProgress.start("StyleCrafter", "StyleCrafter: " + (source == null ? "downloading" : "copying")
				+ " the model files", tasks, status, log))
			{
				ModelSetup.download(catalogue, dir, new Downloader(options), source, progress, progress::cancelled);
				List<String> problems = service.checkModelFolder(dir);
				if (!problems.isEmpty()) {
					fail("The files were downloaded into " + dir + " but the folder cannot be used: " + String.join("; ", problems));
					return;
				}
				service.setModelFolder(dir);
				report = "StyleCrafter's model files are in " + dir + ", verified, and in use";
				progress.report(report);
			}
		}
		catch (DownloadCancelledException e) {
			fail("Download cancelled: " + e.getMessage());
		}
		catch (IOException e) {
			fail("Setting up the model files in " + dir + " failed: " + e.getMessage());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			fail("interrupted; what was downloaded is kept and the next run resumes there");
		}
	}

	private void fail(String message) {
		UserMessages.fail(this, message, log);
	}
}
