# DF001 findings whose automatic fix is offered or refused (tests/unit/iac/dfrules_a_test.cpp
# checks the fixes and the reasons; tests/e2e/autofix_equivalence.test.sh builds them).
FROM debian:12
RUN groupadd -g 1001 app && useradd -u 1001 -g app -m app
COPY app.conf /etc/app.conf
# expect-next: DF001
RUN chown app:app /etc/app.conf
COPY run.sh /usr/local/bin/run.sh
# expect-next: DF001
RUN chmod 0755 /usr/local/bin/run.sh
# The user is created after the COPY: `COPY --chown=cod:cod` would fail there (refused).
COPY cod.yaml /etc/cod.yaml
RUN useradd -m cod
# expect-next: DF001
RUN chown cod:cod /etc/cod.yaml
# Two RUNs change the same COPY: only the first is fixed, no flag twice.
COPY data.bin /srv/data.bin
# expect-next: DF001
RUN chmod 640 /srv/data.bin
# expect-next: DF001
RUN chmod 640 /srv/data.bin
# A recursive chown that also covers what the RUN installs afterwards (refused).
COPY . /var/www/html
# expect-next: DF001
RUN chown -R www-data:www-data /var/www/html && composer install
# A symbolic mode depends on the file's mode in the build context (refused).
COPY tool.sh /usr/local/bin/tool.sh
# expect-next: DF001
RUN chmod +x /usr/local/bin/tool.sh
