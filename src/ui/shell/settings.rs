//! The Settings window: the TTAPI key (kept only in the OS keyring, shown masked, checked with `info`),
//! the host, the default mode, the prompt check, and where the library lives. Every keyring and network
//! call goes through the engine; a changed key or host restarts the engine on the new backend.

use egui::RichText;

use crate::api::{AccountInfo, ApiError, ApiKey, BaseUrl, KNOWN_HOSTS};
use crate::engine::{Backend, Command};
use crate::secrets::{ENV_VAR, KeySource, KeyStatus, KeyringError};
use crate::settings::{Settings, SettingsError};
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::pending::{Pending, take_ready};
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

pub struct SettingsPanel {
    pub open: bool,
    /// How much disk the library takes, measured each time Settings opens.
    pub usage: Option<crate::library::DiskUsage>,
    measured: bool,
    key_input: String,
    status: Option<KeyStatus>,
    status_answer: Option<Pending<KeyStatus>>,
    refresh_status: bool,
    /// Check the account (balance) once the restarted engine is up.
    check_when_ready: bool,
    store_answer: Option<Pending<Result<(), KeyringError>>>,
    remove_answer: Option<Pending<Result<bool, KeyringError>>>,
    account_answer: Option<Pending<Result<AccountInfo, ApiError>>>,
    save_answer: Option<Pending<Result<(), SettingsError>>>,
    /// What the last account check said: `Ok` holds the balance line.
    account: Option<Result<String, String>>,
    /// The outcome of the last key operation, shown under the buttons.
    key_message: Option<Result<String, String>>,
    host_input: String,
    host_problem: Option<String>,
    /// A host outside TTAPI's waiting for the user's consent before the key goes there.
    host_to_trust: Option<BaseUrl>,
}

impl SettingsPanel {
    pub fn new(settings: &Settings) -> SettingsPanel {
        SettingsPanel {
            open: false,
            usage: None,
            measured: false,
            key_input: String::new(),
            status: None,
            status_answer: None,
            refresh_status: true,
            check_when_ready: false,
            store_answer: None,
            remove_answer: None,
            account_answer: None,
            save_answer: None,
            account: None,
            key_message: None,
            host_input: settings.base_url.clone(),
            host_problem: None,
            host_to_trust: None,
        }
    }

    /// The engine (re)started: the key in use may have changed.
    pub fn engine_ready(&mut self, online: bool) {
        self.refresh_status = true;
        if !online {
            self.account = None;
        }
        self.check_when_ready &= online;
    }
}

pub fn show(panel: &mut SettingsPanel, services: &mut Services, ctx: &egui::Context) {
    receive(panel, services);
    if !panel.open {
        panel.measured = false;
        return;
    }
    if !panel.measured {
        panel.measured = true;
        services
            .chores
            .measure_library(services.data_dir().to_owned());
    }
    let open = crate::ui::kit::dialog(ctx, "Settings", 520.0, true, |ui| {
        key_section(panel, services, ui);
        ui.separator();
        host_section(panel, services, ui);
        ui.separator();
        preferences_section(panel, services, ui);
    });
    panel.open &= open;
}

/// Collects the engine's answers, and asks again for what is stale.
fn receive(panel: &mut SettingsPanel, services: &mut Services) {
    if let Some(status) = take_ready(&mut panel.status_answer) {
        panel.status = status;
    }
    if let Some(outcome) = take_ready(&mut panel.account_answer) {
        panel.account = Some(match outcome {
            Some(Ok(info)) => Ok(balance_line(&info)),
            Some(Err(e)) => Err(e.to_string()),
            None => Err("the engine restarted before answering".into()),
        });
    }
    match take_ready(&mut panel.save_answer) {
        Some(Some(Err(e))) => services.toasts.push(ToastKind::Error, e.to_string(), None),
        Some(None) => services.toasts.push(
            ToastKind::Error,
            "The settings may not have been saved (the engine restarted); change them again.",
            None,
        ),
        _ => {}
    }
    let mut restart = false;
    if let Some(outcome) = take_ready(&mut panel.store_answer) {
        panel.key_message = Some(match outcome {
            Some(Ok(())) => {
                panel.key_input.clear();
                panel.check_when_ready = true;
                restart = true;
                Ok("Key stored in the OS keyring. Connecting…".into())
            }
            Some(Err(e)) => Err(e.to_string()),
            None => Err("the engine restarted before answering".into()),
        });
    }
    if let Some(outcome) = take_ready(&mut panel.remove_answer) {
        panel.key_message = Some(match outcome {
            Some(Ok(true)) => {
                restart = true;
                panel.account = None;
                Ok("Key removed from the OS keyring.".into())
            }
            Some(Ok(false)) => Ok("There was no key in the OS keyring.".into()),
            Some(Err(e)) => Err(e.to_string()),
            None => Err("the engine restarted before answering".into()),
        });
    }
    if restart {
        let base = services.settings.base();
        services.restart_engine(Backend::Detect { base }, None);
    }
    if services.status.ready && panel.refresh_status && panel.status_answer.is_none() {
        let (reply, answer) = Pending::channel();
        if services.send(Command::KeyStatus { reply }) {
            panel.status_answer = Some(answer);
            panel.refresh_status = false;
        }
    }
    if services.status.ready && services.status.offline.is_none() && panel.check_when_ready {
        panel.check_when_ready = false;
        check_account(panel, services, None);
    }
}

fn balance_line(info: &AccountInfo) -> String {
    let mut line = match info.balance {
        Some(balance) => format!("Balance: {balance}"),
        None => "The key works (no balance reported)".to_owned(),
    };
    if let Some(frozen) = info.freeze_balance.filter(|f| *f > 0.0) {
        line.push_str(&format!(" · {frozen} held by running jobs"));
    }
    if let Some(email) = &info.email {
        line.push_str(&format!(" · {email}"));
    }
    line
}

fn key_section(panel: &mut SettingsPanel, services: &mut Services, ui: &mut egui::Ui) {
    ui.heading("TTAPI key");
    key_status(ui, panel.status.as_ref());
    untrusted_host(panel, services, ui);
    key_field(panel, services, ui);
    if let Some(message) = &panel.key_message {
        outcome_label(ui, message);
    }
    account_check(panel, services, ui);
}

/// Why the key is not sent to this host, and the way to trust it.
fn untrusted_host(panel: &mut SettingsPanel, services: &mut Services, ui: &mut egui::Ui) {
    if let Some(why) = services
        .status
        .offline
        .as_deref()
        .filter(|why| crate::engine::is_untrusted_host(why))
    {
        ui.colored_label(ui.visuals().warn_fg_color, why);
        if ui
            .add_enabled(
                services.status.ready && panel.host_to_trust.is_none(),
                egui::Button::new("Trust this host…"),
            )
            .on_hover_text("Asks first, under Service")
            .clicked()
        {
            panel.host_to_trust = Some(services.settings.base());
        }
    }
}

/// The key field with Save (or Replace), Check and Remove.
fn key_field(panel: &mut SettingsPanel, services: &mut Services, ui: &mut egui::Ui) {
    let has_stored = panel
        .status
        .as_ref()
        .is_some_and(|s| matches!(s.in_use, Some((KeySource::Keyring, _))));
    ui.horizontal(|ui| {
        let label = ui.label("API key");
        ui.add(
            egui::TextEdit::singleline(&mut panel.key_input)
                .password(true)
                .hint_text("paste your TT-API-KEY")
                .desired_width(300.0),
        )
        .labelled_by(label.id);
    });
    let typed = ApiKey::new(panel.key_input.clone());
    // While the engine restarts nobody could carry out the request.
    let busy =
        !services.status.ready || panel.store_answer.is_some() || panel.remove_answer.is_some();
    ui.horizontal(|ui| {
        let save_label = if has_stored {
            "Replace key"
        } else {
            "Save key"
        };
        if ui
            .add_enabled(typed.is_some() && !busy, egui::Button::new(save_label))
            .on_hover_text("Store the key in the OS keyring and connect with it")
            .clicked()
            && let Some(key) = typed.clone()
        {
            let (reply, answer) = Pending::channel();
            if services.send(Command::StoreKey { key, reply }) {
                panel.store_answer = Some(answer);
            } else {
                services.refused("the key was not saved");
            }
        }
        if ui
            .add_enabled(
                typed.is_some() && services.status.ready,
                egui::Button::new("Check key"),
            )
            .on_hover_text("Ask TTAPI's info endpoint about this key, without storing it")
            .clicked()
        {
            check_account(panel, services, typed.clone());
        }
        if ui
            .add_enabled(has_stored && !busy, egui::Button::new("Remove key"))
            .clicked()
        {
            let (reply, answer) = Pending::channel();
            if services.send(Command::RemoveKey { reply }) {
                panel.remove_answer = Some(answer);
            } else {
                services.refused("the key was not removed");
            }
        }
        if busy {
            ui.spinner();
        }
    });
}

/// Check account: the balance and the account the connected key belongs to.
fn account_check(panel: &mut SettingsPanel, services: &mut Services, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        let can_check = services.status.ready && services.status.offline.is_none();
        if ui
            .add_enabled(can_check, egui::Button::new("Check account"))
            .on_disabled_hover_text("Connect with a key first")
            .clicked()
        {
            check_account(panel, services, None);
        }
        if panel.account_answer.is_some() {
            ui.spinner();
        }
    });
    if let Some(account) = &panel.account {
        outcome_label(ui, account);
    }
}

/// Which key is in use and where it comes from, or why the keyring cannot help.
fn key_status(ui: &mut egui::Ui, status: Option<&KeyStatus>) {
    let Some(status) = status else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Asking the OS keyring…");
        });
        return;
    };
    match &status.in_use {
        Some((KeySource::Environment, masked)) => {
            ui.label(format!(
                "In use: {masked}, from the {ENV_VAR} environment variable."
            ));
            ui.label(
                RichText::new(format!(
                    "{ENV_VAR} takes precedence over the keyring; unset it to use a stored key."
                ))
                .weak(),
            );
        }
        Some((KeySource::Keyring, masked)) => {
            ui.label(format!("Stored in the OS keyring: {masked}"));
        }
        None => {
            ui.label("No key stored: Moodgrid runs on its offline simulator.");
        }
    }
    if let Some(problem) = &status.keyring_problem {
        ui.colored_label(ui.visuals().warn_fg_color, problem);
        ui.label(
            RichText::new(format!(
                "Moodgrid never writes the key to a file. Without a keyring, start it with the key \
                 in the environment, e.g. `{ENV_VAR}=your-key moodgrid`."
            ))
            .weak(),
        );
    }
}

fn outcome_label(ui: &mut egui::Ui, outcome: &Result<String, String>) {
    match outcome {
        Ok(text) => ui.colored_label(crate::ui::kit::theme::palette(ui).success, text),
        Err(text) => ui.colored_label(ui.visuals().error_fg_color, text),
    };
}

/// `info` for `key` (or the engine's own key) at the chosen host.
fn check_account(panel: &mut SettingsPanel, services: &mut Services, key: Option<ApiKey>) {
    let base = services.settings.base();
    let (reply, answer) = Pending::channel();
    if services.send(Command::CheckAccount { base, key, reply }) {
        panel.account_answer = Some(answer);
        panel.account = None;
    } else {
        services.refused("the account was not checked");
    }
}

fn host_section(panel: &mut SettingsPanel, services: &mut Services, ui: &mut egui::Ui) {
    ui.heading("Service");
    for (url, name) in KNOWN_HOSTS {
        ui.radio_value(&mut panel.host_input, url.to_owned(), name);
    }
    let custom = !KNOWN_HOSTS.iter().any(|(url, _)| *url == panel.host_input);
    ui.horizontal(|ui| {
        if ui.radio(custom, "Custom").clicked() && !custom {
            panel.host_input.clear();
        }
        let label = ui.label("Host");
        ui.add(
            egui::TextEdit::singleline(&mut panel.host_input)
                .hint_text("https://…")
                .desired_width(280.0),
        )
        .labelled_by(label.id);
    });
    let changed = panel.host_input.trim() != services.settings.base_url;
    let mut apply = false;
    ui.horizontal(|ui| {
        apply = ui
            .add_enabled(
                changed && services.status.ready,
                egui::Button::new("Apply host"),
            )
            .on_hover_text("Save the host and reconnect")
            .clicked();
        if let Some(problem) = &panel.host_problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
    });
    trusted_hosts(panel, services, ui);
    if let Some(base) = panel.host_to_trust.clone() {
        let mut answer = None;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(format!(
                "{base} is not one of TTAPI's hosts. Moodgrid will send your TTAPI key to it with every \
                 request. Continue only if it is a proxy you run or trust."
            ));
            ui.horizontal(|ui| {
                if ui.button("Trust this host and connect").clicked() {
                    answer = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(false);
                }
            });
        });
        match answer {
            Some(true) => {
                services.settings.trust(&base);
                panel.host_to_trust = None;
                use_host(panel, services, base);
            }
            Some(false) => panel.host_to_trust = None,
            None => {}
        }
    }
    if apply {
        match BaseUrl::parse(&panel.host_input) {
            Ok(base) if !services.settings.may_send_key_to(&base) => {
                panel.host_problem = None;
                panel.host_to_trust = Some(base);
            }
            Ok(base) => use_host(panel, services, base),
            Err(e) => panel.host_problem = Some(e.to_string()),
        }
    }
}

/// The hosts outside TTAPI the user trusted with the key, each with **Withdraw**. Withdrawing the host in
/// use reconnects, and the engine's consent check then keeps the key from it (offline until trusted again).
fn trusted_hosts(panel: &mut SettingsPanel, services: &mut Services, ui: &mut egui::Ui) {
    if services.settings.trusted_hosts.is_empty() {
        return;
    }
    ui.label(RichText::new("Trusted with your key").strong());
    let mut withdrawn = None;
    for host in &services.settings.trusted_hosts {
        ui.horizontal(|ui| {
            ui.label(host);
            if ui
                .add_enabled(services.status.ready, egui::Button::new("Withdraw"))
                .on_hover_text("Send the key to this host no more")
                .clicked()
            {
                withdrawn = Some(host.clone());
            }
        });
    }
    let Some(host) = withdrawn else {
        return;
    };
    services.settings.trusted_hosts.retain(|h| *h != host);
    if services.settings.base_url == host {
        panel.account = None;
        services.restart_engine(
            Backend::Detect {
                base: services.settings.base(),
            },
            Some(services.settings.clone()),
        );
    } else {
        save_settings(panel, services);
    }
}

/// Saves `base` as the host and reconnects to it.
fn use_host(panel: &mut SettingsPanel, services: &mut Services, base: BaseUrl) {
    panel.host_problem = None;
    panel.host_input = base.as_str().to_owned();
    services.settings.base_url = base.as_str().to_owned();
    panel.check_when_ready = true;
    services.restart_engine(Backend::Detect { base }, Some(services.settings.clone()));
}

fn preferences_section(panel: &mut SettingsPanel, services: &mut Services, ui: &mut egui::Ui) {
    ui.heading("Preferences");
    let before = services.settings.clone();
    egui::Grid::new("preferences")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            crate::ui::kit::controls::form_label(ui, "Default mode");
            crate::ui::kit::controls::mode_segmented(ui, &mut services.settings.default_mode);
            ui.end_row();
            crate::ui::kit::controls::form_label(ui, "Theme");
            let themes =
                crate::ui::kit::theme::ThemeChoice::ALL.map(|choice| (choice, choice.label()));
            crate::ui::kit::controls::segmented(
                ui,
                "Follow the system reads the desktop's dark or light preference",
                &mut services.settings.theme,
                &themes,
            );
            ui.end_row();
            crate::ui::kit::controls::form_label(ui, "Ask before spending over");
            ui.horizontal(|ui| {
                ui.add(
                    egui::DragValue::new(&mut services.settings.confirm_above_quota)
                        .range(0.0..=100_000.0)
                        .speed(1.0)
                        .update_while_editing(false),
                )
                .on_hover_text(
                    "A press of Imagine estimated above this (a permutation, --repeat) asks first; \
                     the command line needs --yes",
                );
                ui.label("quota");
            });
            ui.end_row();
        });
    ui.checkbox(
        &mut services.settings.check_prompts,
        "Check prompts for banned words before imagining (promptCheck, free)",
    );
    if services.settings != before {
        if services.settings.default_mode != before.default_mode {
            services.ask(Intent::DefaultMode(services.settings.default_mode));
        }
        if services.settings.theme != before.theme {
            crate::ui::kit::theme::choose(ui.ctx(), services.settings.theme);
        }
        save_settings(panel, services);
    }
    ui.add_space(6.0);
    let dir = services.data_dir().to_owned();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Library").weak());
        ui.add(
            egui::Label::new(dir.display().to_string())
                .selectable(true)
                .truncate(),
        );
        if ui.small_button("Open folder").clicked() {
            services.chores.open_folder(dir.clone());
        }
    });
    let megabytes = |bytes: u64| bytes as f64 / 1e6;
    let usage = match panel.usage {
        Some(usage) => format!(
            "{:.1} MB images · {:.1} MB thumbnails · {:.1} MB database",
            megabytes(usage.images),
            megabytes(usage.thumbnails),
            megabytes(usage.database)
        ),
        None => "Measuring…".to_owned(),
    };
    ui.label(RichText::new(usage).weak());
}

fn save_settings(panel: &mut SettingsPanel, services: &mut Services) {
    let (reply, answer) = Pending::channel();
    if services.send(Command::SaveSettings {
        settings: services.settings.clone(),
        reply,
    }) {
        panel.save_answer = Some(answer);
    } else {
        services.toasts.push(
            ToastKind::Error,
            "The settings could not be saved right now (the engine is restarting); change them again.",
            None,
        );
    }
}
