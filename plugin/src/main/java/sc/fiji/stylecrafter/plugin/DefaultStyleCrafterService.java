package sc.fiji.stylecrafter.plugin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.prefs.PrefService;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;


import sc.fiji.stylecrafter.model.Catalogue;
import sc.fiji.stylecrafter.task.Notices;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.model.ModelLoader;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.model.ModelFolderCheck;

/** Default {@link StyleCrafterService}: one lock guards the model and every use of it. */
@Plugin(type = Service.class)
public class DefaultStyleCrafterService extends AbstractService implements StyleCrafterService {

	static final String FOLDER_KEY = "modelFolder";

	/** How long closing the context waits for a running generation before it leaves the model to the process's end. */
	static final long DISPOSE_WAIT_S = 10;

	@Parameter
	private PrefService prefs;

	@Parameter(required = false)
	private LogService log;

	/** Held by every generation and by everything that replaces or closes the model; fair, so waiters go in order. */
	private final ReentrantLock lock = new ReentrantLock(true);
	private StyleCrafterModel model;
	/** Written under the lock; read without it, so that asking never waits for a running generation. */
	private volatile String loadedKey;

	/** The catalogue downloads come from; replaced by tests with one served from the loopback. */
	private volatile Catalogue catalogue = Catalogue.OFFICIAL;

	@Override
	public Catalogue catalogue() {
		return catalogue;
	}

	void setCatalogue(Catalogue c) {
		catalogue = c;
	}

	@Override
	public Path modelFolder() {
		String p = prefs.get(StyleCrafterService.class, FOLDER_KEY, null);
		return p == null || p.isBlank() ? null : Path.of(p);
	}

	@Override
	public void setModelFolder(Path folder) throws InterruptedException {
		lock.lockInterruptibly();
		try {
			if (model != null && (folder == null || !model.folder().toAbsolutePath().normalize().equals(folder.toAbsolutePath().normalize()))) closeModel();
			prefs.put(StyleCrafterService.class, FOLDER_KEY, folder == null ? "" : folder.toAbsolutePath().toString());
		}
		finally {
			lock.unlock();
		}
	}

	@Override
	public List<String> checkModelFolder(Path folder) {
		return ModelFolderCheck.check(folder);
	}

	/** @param device the device in a user's words as resolved here ({@code cpu}, {@code gpu 0}) */
	private static String key(Path folder, String device, Precision precision) {
		return folder.toAbsolutePath().normalize() + "|" + device + "|" + precision;
	}

	@Override
	public boolean isLoaded(Path folder, String device, Precision precision) {
		return key(folder, DeviceChoice.parse(device).resolvedLabel(), precision).equals(loadedKey);
	}

	@Override
	public <T> T withModel(Path folder, String device, Precision precision, WaitListener waiting, ModelUse<T> use) throws IOException, InterruptedException {
		DeviceChoice choice = DeviceChoice.parse(device);
		String d = choice.resolvedLabel();
		if (!lock.tryLock()) {
			if (waiting != null) waiting.waiting();
			lock.lockInterruptibly();
		}
		try {
			String k = key(folder, d, precision);
			if (model == null || !k.equals(loadedKey)) {
				closeModel();
				if (log != null) log.info("StyleCrafter: loading the model from " + folder + " on " + d + " (" + precision.label() + ")");
				model = ModelLoader.load(folder, choice, precision, notices());
				loadedKey = k;
			}
			return use.apply(model);
		}
		finally {
			lock.unlock();
		}
	}

	/** Notes go to the log service (no console window opens for them); advice as warnings only when a user can act. */
	private Notices notices() {
		return (kind, message) -> {
			if (log == null) return;
			if (kind == Notices.Kind.ADVICE) log.info("StyleCrafter advice: " + message);
			else log.debug("StyleCrafter: " + message);
		};
	}

	private void closeModel() {
		if (model != null) {
			model.close();
			loadedKey = null;
			model = null;
		}
	}

	@Override
	public void unload() throws InterruptedException {
		lock.lockInterruptibly();
		try {
			closeModel();
		}
		finally {
			lock.unlock();
		}
	}

	/** Set when the context is disposed (Fiji quits). */
	private volatile boolean closing;

	@Override
	public boolean closing() {
		return closing;
	}

	@Override
	public void dispose() {
		closing = true; // a running generation stops at its next step and returns the lock
		try {
			if (lock.tryLock(DISPOSE_WAIT_S, TimeUnit.SECONDS)) {
				try {
					closeModel();
				}
				finally {
					lock.unlock();
				}
			}
			else if (log != null) {
				log.warn("StyleCrafter: a generation did not stop within " + DISPOSE_WAIT_S + " s (one step ran on); its model is freed when the process ends");
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
