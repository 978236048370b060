package sc.fiji.stylecrafter.plugin;

import java.io.File;
import java.io.IOException;
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
import sc.fiji.stylecrafter.setup.ModelSetup;

/**
 * Plugins > StyleCrafter > Set Up Models...: shows the licence terms of the model files, downloads what the folder
 * lacks (11 GB the first time; resumed where it stopped, each file checked by its SHA-256), with progress and time left
 * in the status bar and a cancellable task, and then uses the folder. A macro gives {@code folder} and
 * {@code accept=true}.
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
	private String terms = ModelSetup.licenceText(Catalogue.OFFICIAL);

	@Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE, required = false, persist = false,
		description = "Where the model files go (about 11 GB); empty for the folder already set, or ~/.stylecrafter/models")
	private File folder;

	@Parameter(label = "I accept these licence terms", persist = false)
	private boolean accept;

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
			try (FijiProgress progress = FijiProgress.start("StyleCrafter", "StyleCrafter: downloading the model files", tasks, status, log)) {
				ModelSetup.download(catalogue, dir, new Downloader(Downloader.Options.defaults()), progress, progress::cancelled);
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
