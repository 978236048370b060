package sc.fiji.stylecrafter.plugin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.scijava.service.SciJavaService;

import sc.fiji.stylecrafter.model.Catalogue;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.setup.ModelSetup;

/**
 * Keeps the StyleCrafter model loaded between commands, once per (folder, device, precision), and remembers the model
 * folder as a preference. One generation runs at a time: a second one, or anything that would close or replace the
 * model (another folder, device or precision, Set Model Folder..., closing the context), waits until the running one
 * ends, so a model is never closed under a running generation, and the seeded noise of two runs never interleaves.
 */
public interface StyleCrafterService extends SciJavaService {

	/** The work done with a loaded model while no other generation can run. */
	@FunctionalInterface
	interface ModelUse<T> {

		T apply(StyleCrafterModel model);
	}

	/** Told when a call has to wait for the running generation (so the user can be told why nothing happens). */
	@FunctionalInterface
	interface WaitListener {

		void waiting();
	}

	/** The model folder the user chose, or {@code null}. */
	Path modelFolder();

	/** The folder the commands use: the one the user chose, else where Set Up Models... puts the files (the core's default). */
	default Path modelFolderOrDefault() {
		Path chosen = modelFolder();
		return chosen != null ? chosen : ModelSetup.defaultFolder();
	}

	/** Remembers the folder; a loaded model of another folder is closed (after the running generation, if any). */
	void setModelFolder(Path folder) throws InterruptedException;

	/** Problems that keep a folder from being used, one line each; empty if it is fine. */
	List<String> checkModelFolder(Path folder);

	/** Whether this very model is loaded already (then no folder check or load is needed). */
	boolean isLoaded(Path folder, String device, Precision precision);

	/**
	 * Runs {@code use} with the model, loading it (and closing another) if needed, alone: it waits for a generation
	 * that is running.
	 */
	<T> T withModel(Path folder, String device, Precision precision, WaitListener waiting, ModelUse<T> use) throws IOException, InterruptedException;

	/** The files Set Up Models... downloads (the official catalogue). */
	default Catalogue catalogue() {
		return Catalogue.OFFICIAL;
	}

	/** Drops the loaded model and frees its memory (after the running generation, if any). */
	void unload() throws InterruptedException;

	/**
	 * Whether Fiji is closing: a running generation stops at its next step (its cancel token asks this), so that its
	 * model is closed before the process ends instead of libtorch being torn down under it.
	 */
	default boolean closing() {
		return false;
	}
}
